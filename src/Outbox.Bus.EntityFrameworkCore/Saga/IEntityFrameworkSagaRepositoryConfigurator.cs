using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Options of the EF Core saga repository, named as in MassTransit.EntityFrameworkCore so that moving to that package
/// only changes the <c>using</c>.
/// </summary>
public interface IEntityFrameworkSagaRepositoryConfigurator
{
    /// <summary>
    /// Only <see cref="MassTransit.ConcurrencyMode.Optimistic" /> (the default here) is supported; setting
    /// <see cref="MassTransit.ConcurrencyMode.Pessimistic" /> throws <see cref="NotSupportedException" />.
    /// </summary>
    ConcurrencyMode ConcurrencyMode { set; }

    /// <summary>
    /// Isolation level of the transaction the repository begins when the <see cref="DbContext" /> has none yet.
    /// Defaults to <see cref="System.Data.IsolationLevel.ReadCommitted" />. Ignored when the repository joins a transaction
    /// that is already open (e.g. the outbox's).
    /// </summary>
    IsolationLevel IsolationLevel { set; }

    /// <summary>
    /// Use the application's <typeparamref name="TContext" />, registered in the container (e.g. with <c>AddDbContext</c>),
    /// resolved from the message's service scope.
    /// </summary>
    void ExistingDbContext<TContext>()
        where TContext : DbContext;
}

public interface IEntityFrameworkSagaRepositoryConfigurator<TSaga> : IEntityFrameworkSagaRepositoryConfigurator
    where TSaga : class, ISaga
{
    /// <summary>
    /// Shapes every query that loads saga instances, e.g. <c>q =&gt; q.Include(x =&gt; x.Items)</c> for owned or related data.
    /// </summary>
    void CustomizeQuery(Func<IQueryable<TSaga>, IQueryable<TSaga>> queryCustomization);
}
