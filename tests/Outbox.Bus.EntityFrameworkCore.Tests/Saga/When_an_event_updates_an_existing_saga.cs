using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_an_event_updates_an_existing_saga
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_save_the_new_state_and_increment_the_version_on_every_write(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "counter"));
        await bus.WaitFor(id, s => s is not null, "the saga row");

        await bus.Publish(new IncrementCounter(id));
        var once = await bus.WaitFor(id, s => s?.Counter == 1, "the first increment");
        await bus.Publish(new IncrementCounter(id));
        var twice = await bus.WaitFor(id, s => s?.Counter == 2, "the second increment");

        Assert.Equal(2, once!.Version);
        Assert.Equal(3, twice!.Version);
        Assert.Equal("Active", twice.CurrentState);
        Assert.Equal([0, 0], bus.Attempts.Attempts<IncrementCounter>(id));
    }
}
