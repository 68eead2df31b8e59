using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>
/// Deletes delivery-log rows older than <see cref="WebhookOptions.DeliveryLogRetention"/>. The log answers "what
/// happened lately" (and its last few rows decide the failing state); left alone it grows with every notification.
/// Runs in the webhook role; several instances deleting the same old rows is harmless.
/// </summary>
public sealed class WebhookDeliveryLogCleanup(
    IServiceScopeFactory scopes,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryLogCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeliveryLogCleanupInterval, clock);
        do
        {
            try
            {
                var deleted = await PruneAsync(stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("Deleted {Count} webhook delivery log row(s) older than {Retention}", deleted,
                        options.Value.DeliveryLogRetention);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next round tries again; a database hiccup must not stop the host.
                logger.LogWarning(exception, "Pruning the webhook delivery log failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many rows were deleted.</returns>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.DeliveryLogRetention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        return await db.WebhookDeliveries.Where(a => a.AttemptedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
