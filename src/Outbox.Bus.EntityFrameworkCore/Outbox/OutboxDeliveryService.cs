using MassTransit;
using MassTransit.Logging;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Hands database rows to the transport: bus-outbox batches (in order within a batch) and scheduled messages once due.
/// Each pass is one transaction that locks the rows it takes, skipping rows another instance holds, so any number of
/// instances can share one database and each row is sent by one of them; a row is deleted in the same transaction once
/// the transport took it. Rows due while no instance ran are simply due at the next pass of whichever starts first.
/// </summary>
sealed class OutboxDeliveryService<TDbContext>(
    IBusControl bus,
    IServiceScopeFactory scopeFactory,
    IOptions<EntityFrameworkOutboxOptions<TDbContext>> options,
    EntityFrameworkOutboxSql<TDbContext> sql,
    OutboxDeliveryNotification<TDbContext> notification,
    ILogger<OutboxDeliveryService<TDbContext>> logger) :
    BackgroundService
    where TDbContext : DbContext
{
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    static readonly TimeSpan BusStartPoll = TimeSpan.FromMilliseconds(100);

    readonly EntityFrameworkOutboxOptions<TDbContext> _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliveryServiceEnabled)
            return;

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Before the bus has started (or while its broker connection is down) a send can only fail or hang.
                if (bus.CheckHealth().Status == BusHealthStatus.Unhealthy)
                {
                    await Task.Delay(BusStartPoll, stoppingToken);
                    continue;
                }

                var scheduled = await DeliverDueMessages(stoppingToken);
                var batches = await DeliverOutboxBatches(stoppingToken);

                if (scheduled.Failed || batches.Failed)
                {
                    await Task.Delay(Backoff(++failures), stoppingToken);
                    continue;
                }

                failures = 0;
                if (scheduled.Sent > 0 || batches.Sent > 0)
                    continue; // there may be more

                await notification.WaitAsync(await TimeUntilNextPass(stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Outbox delivery for {DbContext} failed; retrying", typeof(TDbContext).Name);
                try
                {
                    await Task.Delay(Backoff(++failures), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Sends the due scheduled messages, earliest first, up to <c>QueryMessageLimit</c> in one transaction.</summary>
    async Task<PassResult> DeliverDueMessages(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var lockDue = sql.Get(dbContext).LockDueMessages;

        // A plain read first: an idle poll then takes no lock (on SQLite, no write lock on the whole database).
        var now = DateTime.UtcNow;
        if (!await dbContext.Set<OutboxMessage>().AnyAsync(m => m.EnqueueTime <= now, cancellationToken))
            return default;

        return await dbContext.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            dbContext.ChangeTracker.Clear();
            using var queryTimeout = QueryTimeout(cancellationToken);
            await using var transaction = await dbContext.Database.BeginTransactionAsync(_options.IsolationLevel, queryTimeout.Token);

            var due = await dbContext.Set<OutboxMessage>()
                .FromSqlRaw(lockDue, now, _options.QueryMessageLimit)
                .AsNoTracking()
                .ToListAsync(queryTimeout.Token);
            if (due.Count == 0)
                return default;

            var (done, failed) = await Send(due, cancellationToken);

            if (done.Count > 0)
                await dbContext.Set<OutboxMessage>().Where(m => done.Contains(m.SequenceNumber)).ExecuteDeleteAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);

            return new PassResult(done.Count, failed);
        });
    }

    /// <summary>
    /// Locks the oldest bus-outbox batches nobody else holds and sends their messages in sequence order, then deletes what
    /// was sent and the batches left empty.
    /// </summary>
    async Task<PassResult> DeliverOutboxBatches(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var lockBatches = sql.Get(dbContext).LockOutboxStates;

        if (!await dbContext.Set<OutboxState>().AnyAsync(cancellationToken))
            return default;

        return await dbContext.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            dbContext.ChangeTracker.Clear();
            using var queryTimeout = QueryTimeout(cancellationToken);
            await using var transaction = await dbContext.Database.BeginTransactionAsync(_options.IsolationLevel, queryTimeout.Token);

            var batches = await dbContext.Set<OutboxState>()
                .FromSqlRaw(lockBatches, _options.QueryMessageLimit)
                .AsNoTracking()
                .ToListAsync(queryTimeout.Token);
            if (batches.Count == 0)
                return default;

            var outboxIds = batches.Select(b => (Guid?)b.OutboxId).ToList();
            var messages = await dbContext.Set<OutboxMessage>()
                .Where(m => outboxIds.Contains(m.OutboxId))
                .OrderBy(m => m.SequenceNumber)
                .Take(_options.MessageDeliveryLimit)
                .AsNoTracking()
                .ToListAsync(queryTimeout.Token);

            // Stops at the first failure, so no message of a batch ever overtakes an earlier one.
            var (done, failed) = await Send(messages, cancellationToken);

            if (done.Count > 0)
                await dbContext.Set<OutboxMessage>().Where(m => done.Contains(m.SequenceNumber)).ExecuteDeleteAsync(CancellationToken.None);

            var lockedIds = batches.Select(b => b.OutboxId).ToList();
            await dbContext.Set<OutboxState>()
                .Where(b => lockedIds.Contains(b.OutboxId) && !dbContext.Set<OutboxMessage>().Any(m => m.OutboxId == b.OutboxId))
                .ExecuteDeleteAsync(CancellationToken.None);

            await transaction.CommitAsync(CancellationToken.None);

            return new PassResult(done.Count, failed);
        });
    }

    /// <summary>
    /// Sends the rows in order and returns those that are done (sent, or dropped as expired or undeliverable). Stops at
    /// the first failed send: the rest stay for a later pass.
    /// </summary>
    async Task<(List<long> Done, bool Failed)> Send(List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var done = new List<long>(messages.Count);
        foreach (var message in messages)
        {
            if (message.DestinationAddress is null)
            {
                logger.LogWarning("Outbox message {MessageId} ({SequenceNumber}) has no destination; dropped", message.MessageId, message.SequenceNumber);
                done.Add(message.SequenceNumber);
                continue;
            }

            if (message.ExpirationTime is { } expiration && expiration <= DateTime.UtcNow)
            {
                logger.LogWarning("Outbox message {MessageId} ({SequenceNumber}) expired at {ExpirationTime:O}; dropped", message.MessageId,
                    message.SequenceNumber, expiration);
                done.Add(message.SequenceNumber);
                continue;
            }

            try
            {
                await Send(message, message.DestinationAddress, cancellationToken);
                done.Add(message.SequenceNumber);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Outbox message {MessageId} ({SequenceNumber}) could not be sent to {DestinationAddress}; will retry",
                    message.MessageId, message.SequenceNumber, message.DestinationAddress);
                return (done, true);
            }
            catch (OperationCanceledException)
            {
                // Stopping: what was sent so far is still recorded by the caller.
                return (done, false);
            }
        }

        return (done, false);
    }

    async Task Send(OutboxMessage message, Uri destinationAddress, CancellationToken cancellationToken)
    {
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        sendTimeout.CancelAfter(_options.MessageDeliveryTimeout);

        var endpoint = await bus.GetSendEndpoint(destinationAddress);

        // MassTransit's own outbox activity and metrics, so deliveries show up in traces like the official outbox's.
        var activity = LogContext.Current?.StartOutboxDeliverActivity(message);
        var instrument = LogContext.Current?.StartOutboxDeliveryInstrument(message);
        try
        {
            // The row holds the serialized envelope: MassTransit's pipe restores ids, headers and body as they were sent.
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destinationAddress), sendTimeout.Token);
        }
        catch (Exception exception)
        {
            activity?.AddExceptionEvent(exception);
            instrument?.AddException(exception);
            throw;
        }
        finally
        {
            activity?.Stop();
            instrument?.Stop();
        }
    }

    /// <summary>Until the next known due time, but never longer than <c>QueryDelay</c>.</summary>
    async Task<TimeSpan> TimeUntilNextPass(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        using var queryTimeout = QueryTimeout(cancellationToken);

        var nextDue = await dbContext.Set<OutboxMessage>()
            .Where(m => m.EnqueueTime != null)
            .MinAsync(m => m.EnqueueTime, queryTimeout.Token);

        if (nextDue is not { } due)
            return _options.QueryDelay;

        var untilDue = due - DateTime.UtcNow;
        return untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < _options.QueryDelay ? untilDue : _options.QueryDelay;
    }

    CancellationTokenSource QueryTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.QueryTimeout);
        return source;
    }

    TimeSpan Backoff(int failures)
    {
        var delay = _options.QueryDelay * Math.Pow(2, Math.Min(failures, 10));
        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    readonly record struct PassResult(int Sent, bool Failed);
}
