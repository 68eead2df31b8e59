using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_saga_state_is_read_outside_a_consumer
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_load_it_by_correlation_id_and_find_it_by_query(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "wanted"));
        await bus.Publish(new StartCounter(other, "unwanted"));
        await bus.WaitFor(id, s => s is not null, "the wanted saga");
        await bus.WaitFor(other, s => s is not null, "the other saga");
        var load = bus.Services.GetRequiredService<ILoadSagaRepository<CounterState>>();
        var query = bus.Services.GetRequiredService<IQuerySagaRepository<CounterState>>();

        var loaded = await load.Load(id);
        var missing = await load.Load(Guid.NewGuid());
        var found = await query.Find(new SagaQuery<CounterState>(x => x.Name == "wanted" && x.CurrentState == "Active"));

        Assert.NotNull(loaded);
        Assert.Equal(("Active", "wanted", 1), (loaded.CurrentState, loaded.Name, loaded.Version));
        Assert.Null(missing);
        Assert.Equal([id], found);
    }

    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_serve_reads_through_the_saga_repository_from_the_container(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "via-repository"));
        await bus.WaitFor(id, s => s is not null, "the saga row");

        var repository = bus.Services.GetRequiredService<ISagaRepository<CounterState>>();

        var loaded = await Assert.IsAssignableFrom<ILoadSagaRepository<CounterState>>(repository).Load(id);
        var found = await Assert.IsAssignableFrom<IQuerySagaRepository<CounterState>>(repository)
            .Find(new SagaQuery<CounterState>(x => x.Name == "via-repository"));
        Assert.Equal("via-repository", loaded?.Name);
        Assert.Equal([id], found);
    }
}
