using System.Data;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Settings of the outbox, inbox, delivery service and scheduler for one application <typeparamref name="TDbContext"/>,
/// filled from <c>AddEntityFrameworkOutbox</c>'s configurator (and adjustable with
/// <c>services.Configure&lt;EntityFrameworkOutboxOptions&lt;TDbContext&gt;&gt;</c>).
/// </summary>
public class EntityFrameworkOutboxOptions<TDbContext>
    where TDbContext : DbContext
{
    /// <summary>The database's locking queries; null means "detect from the DbContext's provider".</summary>
    public OutboxLockStatementProvider? LockStatementProvider { get; set; }

    /// <summary>
    /// Isolation of the outbox's transactions. Read committed is enough because every row the outbox must own is
    /// locked explicitly; stricter levels only add serialization failures under load (SQLite always runs serializable).
    /// </summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadCommitted;

    /// <summary>How long an inbox mark outlives the delivery of its outgoing messages; redeliveries within it are skipped.</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long the delivery service sleeps when it found nothing to do. It also wakes when this process saved outbox or
    /// scheduled rows, and at the next known due time, so this only bounds the latency of rows other processes wrote.
    /// </summary>
    public TimeSpan QueryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many bus-outbox batches, or scheduled messages, one delivery transaction takes at most.</summary>
    public int QueryMessageLimit { get; set; } = 100;

    /// <summary>Time limit of each query the background services run.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many bus-outbox messages one delivery transaction sends at most.</summary>
    public int MessageDeliveryLimit { get; set; } = 100;

    /// <summary>Time limit of each send to the transport by the delivery service.</summary>
    public TimeSpan MessageDeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>False when this process must not run the delivery service (another one on the same database does).</summary>
    public bool DeliveryServiceEnabled { get; set; } = true;

    /// <summary>False when this process must not run the inbox cleanup service.</summary>
    public bool InboxCleanupServiceEnabled { get; set; } = true;
}
