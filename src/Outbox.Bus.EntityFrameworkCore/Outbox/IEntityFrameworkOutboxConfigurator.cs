using System.Data;
using MassTransit;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// What <c>x.AddEntityFrameworkOutbox&lt;TDbContext&gt;(o =&gt; …)</c> configures; the same members as
/// MassTransit.EntityFrameworkCore's configurator (defaults documented on <see cref="EntityFrameworkOutboxOptions{TDbContext}"/>).
/// </summary>
public interface IEntityFrameworkOutboxConfigurator : ITransactionalOutboxConfigurator
{
    /// <summary>How long a message remains in the inbox for duplicate detection (by MessageId) after its delivery.</summary>
    TimeSpan DuplicateDetectionWindow { set; }

    IsolationLevel IsolationLevel { set; }

    /// <summary>The database's locking queries; usually set by <c>UsePostgres()</c>, <c>UseSqlServer()</c> or <c>UseSqlite()</c>.</summary>
    OutboxLockStatementProvider LockStatementProvider { set; }

    /// <summary>How long the delivery service waits when it found nothing to do.</summary>
    TimeSpan QueryDelay { set; }

    /// <summary>How many outbox batches or scheduled messages one delivery transaction takes at most.</summary>
    int QueryMessageLimit { set; }

    /// <summary>Time limit of each background query.</summary>
    TimeSpan QueryTimeout { set; }

    /// <summary>Do not run the inbox cleanup service in this process.</summary>
    void DisableInboxCleanupService();

    /// <summary>Do not run the delivery service in this process (another process on the same database must).</summary>
    void DisableDeliveryService();

    /// <summary>
    /// Makes <see cref="IPublishEndpoint"/> and <see cref="ISendEndpointProvider"/> resolved outside a consumer write to the
    /// outbox tables of the scope's DbContext; nothing leaves before that DbContext's <c>SaveChanges</c>.
    /// </summary>
    void UseBusOutbox(Action<IEntityFrameworkBusOutboxConfigurator>? configure = null);
}

/// <summary>What <c>o.UseBusOutbox(b =&gt; …)</c> configures.</summary>
public interface IEntityFrameworkBusOutboxConfigurator : IBusOutboxConfigurator
{
    /// <summary>How many messages one delivery transaction sends to the transport at most.</summary>
    int MessageDeliveryLimit { set; }

    /// <summary>Time limit of each send to the transport.</summary>
    TimeSpan MessageDeliveryTimeout { set; }
}
