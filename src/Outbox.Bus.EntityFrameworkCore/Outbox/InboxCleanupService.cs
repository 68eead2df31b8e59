using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Deletes inbox marks whose duplicate-detection window has passed (counted from the delivery of their outgoing
/// messages). Several instances may run it at once: each run is one idempotent DELETE.
/// </summary>
sealed class InboxCleanupService<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IOptions<EntityFrameworkOutboxOptions<TDbContext>> options,
    ILogger<InboxCleanupService<TDbContext>> logger) :
    BackgroundService
    where TDbContext : DbContext
{
    static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(1);

    readonly EntityFrameworkOutboxOptions<TDbContext> _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.InboxCleanupServiceEnabled)
            return;

        // A tenth of the window keeps marks at most ~10% longer than asked, without a DELETE on every delivery poll.
        var interval = _options.DuplicateDetectionWindow / 10;
        interval = interval < _options.QueryDelay ? _options.QueryDelay : interval > MaxInterval ? MaxInterval : interval;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                var removed = await RemoveExpired(stoppingToken);
                if (removed > 0)
                    logger.LogDebug("Removed {Count} expired inbox marks of {DbContext}", removed, typeof(TDbContext).Name);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Inbox cleanup for {DbContext} failed; retrying", typeof(TDbContext).Name);
            }
        }
    }

    async Task<int> RemoveExpired(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.QueryTimeout);

        var cutoff = DateTime.UtcNow - _options.DuplicateDetectionWindow;
        return await dbContext.Set<InboxState>().Where(i => i.Delivered != null && i.Delivered < cutoff).ExecuteDeleteAsync(timeout.Token);
    }
}
