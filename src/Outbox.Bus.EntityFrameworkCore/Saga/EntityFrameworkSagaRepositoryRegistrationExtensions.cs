using MassTransit;

namespace Outbox.Bus.EntityFrameworkCore;

public static class EntityFrameworkSagaRepositoryRegistrationExtensions
{
    /// <summary>
    /// Stores the saga in the application's EF Core <see cref="Microsoft.EntityFrameworkCore.DbContext" /> with optimistic
    /// concurrency, and registers <see cref="ILoadSagaRepository{TSaga}" /> and <see cref="IQuerySagaRepository{TSaga}" />
    /// for reading it outside a consumer:
    /// <code>
    /// x.AddSagaStateMachine&lt;OrderStateMachine, OrderState&gt;()
    ///     .EntityFrameworkRepository(r =&gt;
    ///     {
    ///         r.ConcurrencyMode = ConcurrencyMode.Optimistic;
    ///         r.ExistingDbContext&lt;AppDbContext&gt;();
    ///     });
    /// </code>
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> EntityFrameworkRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<IEntityFrameworkSagaRepositoryConfigurator<TSaga>> configure)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(configure);

        var repositoryConfigurator = new EntityFrameworkSagaRepositoryConfigurator<TSaga>();
        configure(repositoryConfigurator);
        repositoryConfigurator.Validate();

        configurator.Repository(repositoryConfigurator.Register);
        return configurator;
    }
}
