using MassTransit;
using MassTransit.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Registration of the EF Core transactional outbox/inbox and bus outbox, shaped like MassTransit.EntityFrameworkCore's
/// (<c>AddEntityFrameworkOutbox</c>, <c>UseEntityFrameworkOutbox</c>, <c>UsePostgres</c>/<c>UseSqlServer</c>/<c>UseSqlite</c>,
/// <c>UseBusOutbox</c>), so that code written against it reads the same as code written against the official package.
/// </summary>
public static class EntityFrameworkOutboxConfigurationExtensions
{
    /// <summary>
    /// Adds the outbox for <typeparamref name="TDbContext"/>: the consume-side outbox/inbox (enable it per endpoint with
    /// <see cref="UseEntityFrameworkOutbox{TDbContext}"/>), the delivery service, the inbox cleanup service and, with
    /// <c>o.UseBusOutbox()</c>, the bus outbox.
    /// </summary>
    public static void AddEntityFrameworkOutbox<TDbContext>(this IBusRegistrationConfigurator configurator,
        Action<IEntityFrameworkOutboxConfigurator>? configure = null)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);

        new EntityFrameworkOutboxConfigurator<TDbContext>(configurator).Configure(configure);
    }

    /// <summary>
    /// Runs every consumer and saga of this receive endpoint through the EF outbox: their DbContext changes, inbox mark and
    /// outgoing messages commit in one transaction. Typically applied to all endpoints with
    /// <c>x.AddConfigureEndpointsCallback((context, _, e) =&gt; e.UseEntityFrameworkOutbox&lt;TDbContext&gt;(context))</c>.
    /// </summary>
    /// <param name="configure">
    /// <c>MessageDeliveryLimit</c> (default here 100, so that a consumer's messages usually go out in one transaction) and
    /// <c>MessageDeliveryTimeout</c> for handing the consumer's messages to the transport.
    /// </param>
    public static void UseEntityFrameworkOutbox<TDbContext>(this IReceiveEndpointConfigurator configurator, IRegistrationContext context,
        Action<IOutboxOptionsConfigurator>? configure = null)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);

        // MassTransit's own observer adds its OutboxConsumeFilter to each consumer and saga message pipe; the filter then
        // resolves our IOutboxContextFactory<TDbContext> from the consume scope.
        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(configurator, context) { MessageDeliveryLimit = 100 };
        configure?.Invoke(observer);

        configurator.ConnectConsumerConfigurationObserver(observer);
        configurator.ConnectSagaConfigurationObserver(observer);
    }

    /// <summary>PostgreSQL: <c>FOR UPDATE [SKIP LOCKED]</c>.</summary>
    public static IEntityFrameworkOutboxConfigurator UsePostgres(this IEntityFrameworkOutboxConfigurator configurator)
    {
        configurator.LockStatementProvider = new PostgresOutboxLockStatementProvider();
        return configurator;
    }

    /// <summary>SQL Server: <c>WITH (UPDLOCK, ROWLOCK[, READPAST])</c>.</summary>
    public static IEntityFrameworkOutboxConfigurator UseSqlServer(this IEntityFrameworkOutboxConfigurator configurator)
    {
        configurator.LockStatementProvider = new SqlServerOutboxLockStatementProvider();
        return configurator;
    }

    /// <summary>SQLite: a single writer, so plain queries in an immediate transaction.</summary>
    public static IEntityFrameworkOutboxConfigurator UseSqlite(this IEntityFrameworkOutboxConfigurator configurator)
    {
        configurator.LockStatementProvider = new SqliteOutboxLockStatementProvider();
        return configurator;
    }
}
