using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The consume context a consumer or saga sees inside one outbox transaction. Sends and publishes become rows tied to
/// the inbox mark (or scheduled rows), tracked by the same DbContext the consumer uses; MassTransit's OutboxMessagePipe
/// drives it through "consume", "deliver" and "done" passes via the members below.
/// </summary>
sealed class DbContextOutboxConsumeContext<TDbContext, TMessage> :
    OutboxConsumeContextProxy<TMessage>,
    IEntityFrameworkOutboxWriter
    where TDbContext : DbContext
    where TMessage : class
{
    readonly TDbContext _dbContext;
    readonly InboxState _inbox;
    readonly Lock _lock = new();
    readonly List<OutboxMessage> _outgoing = [];
    readonly IReadOnlyList<OutboxMessage>? _committedOutgoing;
    readonly List<OutboxMessage> _deliveredFromCommitted = [];
    bool _deliveredFromDatabase;

    /// <param name="committedOutgoing">
    /// The outgoing rows that the consuming pass of this same receive committed, or null. The consumer's rows are only
    /// ever written by that pass, so they are exactly the rows in the database for this inbox mark, less those already
    /// delivered (up to the locked mark's <see cref="InboxState.LastSequenceNumber"/>): delivery can use them instead of
    /// reading the rows back.
    /// </param>
    public DbContextOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        TDbContext dbContext, InboxState inbox, IReadOnlyList<OutboxMessage>? committedOutgoing = null)
        : base(context, options, provider)
    {
        _dbContext = dbContext;
        _inbox = inbox;
        _committedOutgoing = committedOutgoing;
    }

    public DbContext DbContext => _dbContext;

    /// <summary>The consumer ran (and completed) in this pass.</summary>
    public bool ConsumedInThisPass { get; private set; }

    /// <summary>Outgoing messages reached the transport in this pass, up to <see cref="InboxState.LastSequenceNumber"/>.</summary>
    public bool DeliveredInThisPass { get; private set; }

    /// <summary>Scheduled rows were written in this pass: the delivery service should look at its next due time again.</summary>
    public bool WroteScheduledMessages { get; private set; }

    /// <summary>The outgoing (not scheduled) rows added in this pass, in the order they were sent.</summary>
    public IReadOnlyList<OutboxMessage> Outgoing => _outgoing;

    public override Guid? MessageId => _inbox.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => _inbox.Consumed.HasValue;
    public override bool IsOutboxDelivered => _inbox.Delivered.HasValue;
    public override int ReceiveCount => _inbox.ReceiveCount;
    public override long? LastSequenceNumber => _inbox.LastSequenceNumber;

    // Changes are saved once, by the factory, after the pass: setting them here keeps the pass one round trip shorter.
    public override Task SetConsumed()
    {
        var now = DateTime.UtcNow;
        _inbox.Consumed = now;

        // Nothing to deliver: the mark is complete now, which lets the factory stop after this single transaction.
        if (_outgoing.Count == 0)
            _inbox.Delivered = now;

        ConsumedInThisPass = true;
        return Task.CompletedTask;
    }

    public override Task SetDelivered()
    {
        _inbox.Delivered = DateTime.UtcNow;
        return Task.CompletedTask;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        var last = _inbox.LastSequenceNumber ?? 0;

        if (_committedOutgoing is not null)
        {
            return _committedOutgoing
                .Where(m => m.SequenceNumber > last)
                .OrderBy(m => m.SequenceNumber)
                .Take(Options.MessageDeliveryLimit + 1)
                .Cast<OutboxMessageContext>()
                .ToList();
        }

        // One more than the limit, so MassTransit's pipe can tell whether everything fitted in this pass.
        var messages = await _dbContext.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == _inbox.MessageId && m.InboxConsumerId == _inbox.ConsumerId && m.SequenceNumber > last)
            .OrderBy(m => m.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .AsNoTracking()
            .ToListAsync(CancellationToken);

        return messages.Cast<OutboxMessageContext>().ToList();
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        _inbox.LastSequenceNumber = message.SequenceNumber;
        DeliveredInThisPass = true;
        if (_committedOutgoing is not null && message is OutboxMessage row)
            _deliveredFromCommitted.Add(row);
        else
            _deliveredFromDatabase = true;
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        await _dbContext.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == _inbox.MessageId && m.InboxConsumerId == _inbox.ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    /// <summary>Deletes the rows that reached the transport in this pass, in the same transaction that records it.</summary>
    public async Task RemoveDeliveredMessages(CancellationToken cancellationToken)
    {
        if (!DeliveredInThisPass || _inbox.LastSequenceNumber is not { } last)
            return;

        if (!_deliveredFromDatabase)
        {
            // Deleted by key in the SaveChanges that also records the delivery on the mark: one round trip instead of two.
            // The rows exist (the locked mark says they were not delivered yet), so each DELETE affects exactly one row.
            foreach (var row in _deliveredFromCommitted)
                _dbContext.Set<OutboxMessage>().Attach(row).State = EntityState.Deleted;
            return;
        }

        await _dbContext.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == _inbox.MessageId && m.InboxConsumerId == _inbox.ConsumerId && m.SequenceNumber <= last)
            .ExecuteDeleteAsync(cancellationToken);
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var message = OutboxMessageFactory.Create(context);

        // Publishing concurrently from one consumer is allowed; the change tracker is not thread-safe.
        lock (_lock)
        {
            if (message.EnqueueTime.HasValue)
                WroteScheduledMessages = true;
            else
            {
                message.InboxMessageId = _inbox.MessageId;
                message.InboxConsumerId = _inbox.ConsumerId;
                _outgoing.Add(message);
            }

            _dbContext.Set<OutboxMessage>().Add(message);
        }

        return Task.CompletedTask;
    }

    // Lets the scheduler find this outbox from any context derived from this one (saga and consumer contexts wrap it).
    public override bool TryGetPayload<T>(out T payload)
    {
        if (typeof(T) == typeof(IEntityFrameworkOutboxWriter))
        {
            payload = (T)(object)this;
            return true;
        }

        return base.TryGetPayload(out payload);
    }
}
