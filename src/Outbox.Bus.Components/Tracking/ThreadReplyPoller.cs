using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// Keeps one <see cref="ImapReplyWatcher"/> running per account that has IMAP settings and a message sent within
/// <see cref="TrackingOptions.ReplyWindow"/> whose replies are tracked. Every <see cref="TrackingOptions.ReplyPollInterval"/>
/// it looks again: new accounts get a watcher, accounts that no longer qualify (or were connected again with new
/// settings) lose theirs, and a watcher whose connection failed is started again.
/// </summary>
public sealed class ThreadReplyPoller(
    IServiceScopeFactory scopes,
    ImapReplyWatcher watcher,
    IOptions<TrackingOptions> options,
    TimeProvider clock,
    ILogger<ThreadReplyPoller> logger)
    : BackgroundService
{
    sealed record Watch(DateTime LinkedAt, CancellationTokenSource Stop, Task Running);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watches = new Dictionary<string, Watch>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var wanted = await AccountsToWatchAsync(stoppingToken);
                    foreach (var (accountId, watch) in watches.ToList())
                    {
                        if (!watch.Running.IsCompleted && wanted.TryGetValue(accountId, out var linkedAt) && linkedAt == watch.LinkedAt)
                            continue;
                        await StopAsync(watch);
                        watches.Remove(accountId);
                    }
                    foreach (var (accountId, linkedAt) in wanted)
                        if (!watches.ContainsKey(accountId))
                            watches[accountId] = Start(accountId, linkedAt, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Could not read which inboxes to watch for replies; trying again");
                }
                await Task.Delay(options.Value.ReplyPollInterval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var watch in watches.Values)
                await StopAsync(watch);
        }
    }

    /// <summary>Account id → when it was last connected (new settings mean a new connection).</summary>
    async Task<Dictionary<string, DateTime>> AccountsToWatchAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().UtcDateTime - options.Value.ReplyWindow;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        return await db.Accounts.AsNoTracking()
            .Where(a => a.ImapHost != null && db.TrackedThreads.Any(t => t.AccountId == a.Id && t.SentAt >= since))
            .Select(a => new { a.Id, a.LinkedAt })
            .ToDictionaryAsync(a => a.Id, a => a.LinkedAt, cancellationToken);
    }

    Watch Start(string accountId, DateTime linkedAt, CancellationToken stoppingToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = Task.Run(async () =>
        {
            try
            {
                await watcher.RunAsync(accountId, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception exception)
            {
                // The next round starts it again: a server that is down or refuses the login is retried at the interval.
                logger.LogWarning(exception, "Watching the inbox of account {AccountId} for replies failed; retrying in {Interval}",
                    accountId, options.Value.ReplyPollInterval);
            }
        }, CancellationToken.None);
        return new Watch(linkedAt, stop, running);
    }

    static async Task StopAsync(Watch watch)
    {
        await watch.Stop.CancelAsync();
        await watch.Running;
        watch.Stop.Dispose();
    }
}
