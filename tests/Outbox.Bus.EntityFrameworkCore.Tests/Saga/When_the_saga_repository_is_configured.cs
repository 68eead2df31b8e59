using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_the_saga_repository_is_configured
{
    [Fact]
    public void Should_refuse_pessimistic_concurrency()
    {
        var exception = Assert.Throws<NotSupportedException>(() => Register(r =>
        {
            r.ConcurrencyMode = ConcurrencyMode.Pessimistic;
            r.ExistingDbContext<SagaTestDbContext>();
        }));

        Assert.Contains("Optimistic", exception.Message);
    }

    [Fact]
    public void Should_require_a_db_context()
    {
        var exception = Assert.Throws<ConfigurationException>(() => Register(r => r.ConcurrencyMode = ConcurrencyMode.Optimistic));

        Assert.Contains("ExistingDbContext", exception.Message);
    }

    [Fact]
    public void Should_key_the_saga_by_correlation_id_and_make_version_the_concurrency_token()
    {
        using var dbContext = new SagaTestDbContext(new DbContextOptionsBuilder<SagaTestDbContext>().UseSqlite("Data Source=:memory:").Options);

        var entity = dbContext.Model.FindEntityType(typeof(CounterState))!;

        var key = Assert.Single(entity.FindPrimaryKey()!.Properties);
        Assert.Equal((nameof(CounterState.CorrelationId), Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never), (key.Name, key.ValueGenerated));
        Assert.Equal([nameof(CounterState.Version)], entity.GetProperties().Where(p => p.IsConcurrencyToken).Select(p => p.Name));
    }

    [Fact]
    public void Should_reject_a_db_context_whose_model_lacks_the_saga()
    {
        using var dbContext = new WithoutSagaDbContext();

        var exception = Assert.Throws<InvalidOperationException>(() => SagaModelCheck<CounterState>.EnsureMapped(dbContext));

        Assert.Contains("SagaClassMap", exception.Message);
    }

    [Fact]
    public void Should_reject_a_saga_mapped_without_a_concurrency_token()
    {
        using var dbContext = new WithoutVersionDbContext();

        var exception = Assert.Throws<InvalidOperationException>(() => SagaModelCheck<CounterState>.EnsureMapped(dbContext));

        Assert.Contains("concurrency token", exception.Message);
    }

    static void Register(Action<IEntityFrameworkSagaRepositoryConfigurator<CounterState>> configure)
    {
        new ServiceCollection().AddMassTransit(x => x.AddSagaStateMachine<CounterStateMachine, CounterState>().EntityFrameworkRepository(configure));
    }

    sealed class WithoutSagaDbContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseSqlite("Data Source=:memory:");
    }

    // Mapped by hand instead of with SagaClassMap, so Version is an ordinary column.
    sealed class WithoutVersionDbContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseSqlite("Data Source=:memory:");

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<CounterState>().HasKey(x => x.CorrelationId);
    }
}
