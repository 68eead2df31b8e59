using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Webhooks;

/// <summary>
/// The webhook role alone: <c>AddOutboxBusCore</c> on a real SQLite file in a fresh temporary directory,
/// <c>AddOutboxBusWebhooks</c>, and a test harness with the webhook consumers and a delayed message scheduler (the
/// retries are scheduled messages). The test plays the saga by publishing <see cref="JobStatusChanged"/>. Retry delays
/// are a few hundred milliseconds. One per test; nothing is shared between tests.
/// </summary>
public sealed class WebhookHost(ComponentHost host) : IAsyncDisposable
{
    public const string ClientId = "test-app";
    public const string ClientSecret = "test-secret-0123456789";
    public const string OtherClientId = "other-app";
    public const string OtherClientSecret = "other-secret-9876543210";

    public string DataDirectory => host.DataDirectory;
    public ITestHarness Harness => host.Harness;
    public IServiceProvider Services => host.Services;

    public static async Task<WebhookHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        new(await ComponentHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Applications:0:ClientId"] = ClientId,
                ["Applications:0:ClientSecret"] = ClientSecret,
                ["Applications:1:ClientId"] = OtherClientId,
                ["Applications:1:ClientSecret"] = OtherClientSecret,
                ["Webhooks:AllowLoopback"] = "true",
                ["Webhooks:Timeout"] = "00:00:02",
                // Short delays instead of real ones: tests never sleep through minutes.
                ["Webhooks:RetryDelays:0"] = "00:00:00.200",
                ["Webhooks:RetryDelays:1"] = "00:00:00.300",
                ["Webhooks:RetryDelays:2"] = "00:00:00.400",
                ["Webhooks:RetryWindow"] = "00:01:00",
            },
            settings,
            (services, configuration) => services.AddOutboxBusWebhooks(configuration),
            x => x.AddWebhookConsumers(),
            delayedScheduler: true));

    public async Task<Account> AddAccountAsync(string clientId = ClientId, string email = "sender@example.com")
    {
        var account = new Account
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ClientId = clientId,
            EmailAddress = email,
            Provider = "imap",
            CreatedAt = DateTime.UtcNow,
            LinkedAt = DateTime.UtcNow,
        };
        await Write(db => db.Accounts.Add(account));
        return account;
    }

    /// <summary>Stored directly, as the API does after the challenge (which these specs do not exercise).</summary>
    public async Task<WebhookSubscription> AddSubscriptionAsync(string callbackUrl, string[] triggers, string state = WebhookStates.Active,
        string clientId = ClientId)
    {
        var subscription = new WebhookSubscription
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ApplicationId = clientId,
            CallbackUrl = callbackUrl,
            State = state,
            Triggers = [.. triggers],
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        await Write(db => db.WebhookSubscriptions.Add(subscription));
        return subscription;
    }

    public Task<WebhookSubscription> ReadSubscriptionAsync(string id) =>
        host.Read(db => db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == id));

    /// <summary>What a client's PUT does.</summary>
    public Task SetStateAsync(string id, string state) =>
        host.Read(db => db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.State, state)));

    /// <summary>The delivery log, newest first.</summary>
    public Task<List<WebhookDeliveryAttempt>> DeliveryLogAsync(string subscriptionId) =>
        host.Read(db => db.WebhookDeliveries.AsNoTracking().Where(a => a.SubscriptionId == subscriptionId).OrderByDescending(a => a.Id).ToListAsync());

    /// <summary>Polls the database until the subscription is in <paramref name="state"/>.</summary>
    public async Task<WebhookSubscription> WaitForStateAsync(string id, string state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        WebhookSubscription last;
        do
        {
            last = await ReadSubscriptionAsync(id);
            if (last.State == state)
                return last;
            await Task.Delay(20);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Subscription {id} did not become '{state}'; it is '{last.State}'.");
    }

    /// <summary>What the saga publishes when a job's public status changes.</summary>
    public async Task<JobStatusChanged> ChangeStatus(Account account, string status, string? reason = null, string? messageId = null,
        Guid? jobId = null)
    {
        var change = new JobStatusChanged(jobId ?? Guid.NewGuid(), account.Id, status, reason, messageId, DateTime.UtcNow);
        await Harness.Bus.Publish(change);
        return change;
    }

    public Task Write(Action<OutboxBusDbContext> change) => host.Write(change);

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
