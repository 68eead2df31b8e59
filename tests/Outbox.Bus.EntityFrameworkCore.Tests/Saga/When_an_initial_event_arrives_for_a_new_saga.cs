using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_an_initial_event_arrives_for_a_new_saga
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_insert_the_saga_with_its_state_and_version_1(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();

        await bus.Publish(new StartCounter(id, "first"));

        var saga = await bus.WaitFor(id, s => s is not null, "the saga row");
        Assert.Equal("Active", saga!.CurrentState);
        Assert.Equal("first", saga.Name);
        Assert.Equal(0, saga.Counter);
        Assert.Equal(1, saga.Version);
    }
}
