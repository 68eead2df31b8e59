using System.Data;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Outbox.Bus.EntityFrameworkCore;

sealed class EntityFrameworkSagaRepositoryConfigurator<TSaga> : IEntityFrameworkSagaRepositoryConfigurator<TSaga>
    where TSaga : class, ISaga
{
    IsolationLevel _isolationLevel = IsolationLevel.ReadCommitted;
    Func<IQueryable<TSaga>, IQueryable<TSaga>>? _queryCustomization;
    Action<IServiceCollection>? _registerFactory;

    public ConcurrencyMode ConcurrencyMode
    {
        set
        {
            if (value != ConcurrencyMode.Optimistic)
            {
                throw new NotSupportedException(
                    $"The EF Core saga repository of Outbox.Bus.EntityFrameworkCore supports only ConcurrencyMode.Optimistic " +
                    $"(a version column checked on every write, the same on SQL Server, PostgreSQL and SQLite), not {value}. " +
                    $"Remove the setting or set ConcurrencyMode.Optimistic for saga {typeof(TSaga).Name}.");
            }
        }
    }

    public IsolationLevel IsolationLevel
    {
        set => _isolationLevel = value;
    }

    public void CustomizeQuery(Func<IQueryable<TSaga>, IQueryable<TSaga>> queryCustomization)
    {
        _queryCustomization = queryCustomization ?? throw new ArgumentNullException(nameof(queryCustomization));
    }

    public void ExistingDbContext<TContext>()
        where TContext : DbContext
    {
        _registerFactory = services =>
        {
            services.RegisterLoadSagaRepository<TSaga, EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
            services.RegisterQuerySagaRepository<TSaga, EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
            services.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                EntityFrameworkSagaRepositoryContextFactory<TContext, TSaga>>();
        };
    }

    public void Validate()
    {
        if (_registerFactory is null)
        {
            throw new ConfigurationException(
                $"The EF Core saga repository for {typeof(TSaga).Name} needs a DbContext: call r.ExistingDbContext<TDbContext>().");
        }
    }

    public void Register(ISagaRepositoryRegistrationConfigurator<TSaga> services)
    {
        Validate();

        // Last registration wins, as it does for the repository itself, so registering the saga twice cannot leave
        // the factory with the first call's options.
        services.RemoveAll<EntityFrameworkSagaRepositoryOptions<TSaga>>();
        services.AddSingleton(new EntityFrameworkSagaRepositoryOptions<TSaga>(_isolationLevel, _queryCustomization));

        _registerFactory!(services);
    }
}

sealed record EntityFrameworkSagaRepositoryOptions<TSaga>(IsolationLevel IsolationLevel, Func<IQueryable<TSaga>, IQueryable<TSaga>>? QueryCustomization)
    where TSaga : class, ISaga
{
    public IQueryable<TSaga> Query(DbContext dbContext)
    {
        IQueryable<TSaga> query = dbContext.Set<TSaga>();
        return QueryCustomization is null ? query : QueryCustomization(query);
    }
}
