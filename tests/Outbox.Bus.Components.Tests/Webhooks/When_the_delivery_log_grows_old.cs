using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Webhooks;

namespace Outbox.Bus.Components.Tests.Webhooks;

public sealed class When_the_delivery_log_grows_old
{
    [Fact]
    public async Task Should_delete_only_the_attempts_past_the_retention()
    {
        await using var host = await WebhookHost.StartAsync(new Dictionary<string, string?> { ["Webhooks:DeliveryLogRetention"] = "7.00:00:00" });
        var subscription = await host.AddSubscriptionAsync("http://127.0.0.1:9/hooks", [WebhookTriggers.JobSuccessful]);
        var now = DateTime.UtcNow;
        await host.Write(db =>
        {
            foreach (var (attempt, age) in new[] { (1, 30), (2, 8), (3, 6), (4, 0) })
                db.WebhookDeliveries.Add(new WebhookDeliveryAttempt
                {
                    SubscriptionId = subscription.Id, DeliveryId = Guid.NewGuid(), Trigger = WebhookTriggers.JobSuccessful,
                    Attempt = attempt, AttemptedAt = now.AddDays(-age), Outcome = WebhookOutcomes.Delivered, StatusCode = 200,
                });
        });

        var deleted = await ActivatorUtilities.CreateInstance<WebhookDeliveryLogCleanup>(host.Services).PruneAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        var left = await host.DeliveryLogAsync(subscription.Id);
        Assert.Equal([3, 4], left.Select(a => a.Attempt).Order());
    }
}
