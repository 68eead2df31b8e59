using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The transactional outbox + inbox for consumers and sagas, plugged into MassTransit's OutboxConsumeFilter. Resolved from
/// the consume scope, so <typeparamref name="TDbContext"/> is the very instance the consumer or saga repository uses.
/// <para>
/// Each pass is one database transaction: lock (or create) the inbox mark, let MassTransit's outbox pipe run the
/// consumer or deliver, save, commit. The first pass runs the consumer: its changes, its inbox mark and its outgoing
/// messages commit together, or not at all. The next pass hands the outgoing messages to the transport and records that;
/// a redelivered message finds its mark and skips the consumer.
/// </para>
/// </summary>
sealed class EntityFrameworkOutboxContextFactory<TDbContext>(
    TDbContext dbContext,
    IServiceProvider provider,
    IOptions<EntityFrameworkOutboxOptions<TDbContext>> options,
    EntityFrameworkOutboxSql<TDbContext> sql,
    OutboxDeliveryNotification<TDbContext> notification) :
    IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions consumeOptions, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The outbox needs the message's MessageId.");
        var lockInbox = sql.Get(dbContext).LockInboxState;
        var timer = Stopwatch.StartNew();

        var consumedHere = false;
        IReadOnlyList<OutboxMessage>? committedOutgoing = null;
        for (var pass = 0; ; pass++)
        {
            var firstPass = pass == 0;
            var strategy = dbContext.Database.CreateExecutionStrategy();
            var result = await strategy.ExecuteAsync(() => RunPass(context, consumeOptions, next, messageId, lockInbox, firstPass, committedOutgoing, timer));

            consumedHere |= result.Consumed;
            if (result.Consumed)
                committedOutgoing = result.Outgoing;

            // Done when MassTransit's pipe says so, or when the consumer ran in this receive and everything it sent reached
            // the transport: one more pass would only confirm what this one committed.
            if (!result.ContinueProcessing || (consumedHere && result.Delivered))
                return;
        }
    }

    async Task<PassResult> RunPass<T>(ConsumeContext<T> context, OutboxConsumeOptions consumeOptions, IPipe<OutboxConsumeContext<T>> next,
        Guid messageId, string lockInbox, bool firstPass, IReadOnlyList<OutboxMessage>? committedOutgoing, Stopwatch timer)
        where T : class
    {
        // After the consuming pass, nothing tracked is needed any more: forgetting it makes the inbox mark below come from
        // the locked row (a tracked instance would win over the query's values and could be stale) and keeps the
        // consumer's entities out of this pass's change detection.
        if (!firstPass)
            dbContext.ChangeTracker.Clear();

        await using var transaction = await dbContext.Database.BeginTransactionAsync(options.Value.IsolationLevel, context.CancellationToken);
        DbContextOutboxConsumeContext<TDbContext, T>? outboxContext = null;
        try
        {
            var inbox = (await dbContext.Set<InboxState>()
                .FromSqlRaw(lockInbox, messageId, consumeOptions.ConsumerId)
                .AsTracking()
                .ToListAsync(context.CancellationToken)).SingleOrDefault();

            if (inbox is null)
            {
                // Inserted with the consumer's own changes: if the consumer fails, the mark is rolled back with them, and
                // a concurrent duplicate delivery fails on the (MessageId, ConsumerId) key instead of consuming twice.
                inbox = new InboxState
                {
                    MessageId = messageId,
                    ConsumerId = consumeOptions.ConsumerId,
                    Received = DateTime.UtcNow,
                    ReceiveCount = 1,
                    ExpirationTime = OutboxMessageFactory.AsUtc(context.ExpirationTime)
                };
            }
            else if (firstPass)
                inbox.ReceiveCount++;

            outboxContext = new DbContextOutboxConsumeContext<TDbContext, T>(context, consumeOptions, provider, dbContext, inbox, committedOutgoing);

            await next.Send(outboxContext);

            // A new mark is added only now, so that it is inserted once, already marked consumed, by the SaveChanges below
            // (not inserted by a SaveChanges of the consumer or saga repository and then updated). It still commits in the
            // same transaction as everything the consumer did, and a concurrent copy of the message still fails on the
            // (MessageId, ConsumerId) key before it can commit.
            if (dbContext.Entry(inbox).State == EntityState.Detached)
                dbContext.Set<InboxState>().Add(inbox);

            await outboxContext.RemoveDeliveredMessages(CancellationToken.None);

            // Once the consumer ran, finish recording it even if the receive is being cancelled: a half-done commit would
            // only make the next delivery repeat the work.
            // Any failure from here on rolls the whole pass back, so EF Core's per-save savepoint would only cost round trips.
            await dbContext.SaveChangesWithoutSavepointAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // The original failure is the one worth reporting; a broken connection rolls back by itself.
            }

            // Nothing of the rolled-back pass may leak into a retry that reuses this scope's DbContext.
            dbContext.ChangeTracker.Clear();

            // The consumer had already reported success; tell MassTransit that the message did fail after all.
            if (outboxContext is { ConsumedInThisPass: true } && !context.ReceiveContext.IsFaulted)
                await context.NotifyFaulted(timer.Elapsed, consumeOptions.ConsumerType, exception);

            throw;
        }

        if (outboxContext.WroteScheduledMessages)
            notification.Notify();

        return new PassResult(outboxContext.ContinueProcessing, outboxContext.ConsumedInThisPass, outboxContext.IsOutboxDelivered,
            outboxContext.ConsumedInThisPass ? outboxContext.Outgoing : null);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "entityFrameworkCore");
        scope.Add("dbContext", typeof(TDbContext).Name);
    }

    /// <param name="Outgoing">The consumer's outgoing rows as committed by the consuming pass (with their sequence numbers).</param>
    readonly record struct PassResult(bool ContinueProcessing, bool Consumed, bool Delivered, IReadOnlyList<OutboxMessage>? Outgoing);
}
