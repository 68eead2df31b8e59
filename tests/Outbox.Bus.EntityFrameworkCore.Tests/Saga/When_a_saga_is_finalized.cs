using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_a_saga_is_finalized
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_delete_its_row(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();
        var survivor = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "finishing"));
        await bus.Publish(new StartCounter(survivor, "staying"));
        await bus.WaitFor(id, s => s is not null, "the saga row");
        await bus.WaitFor(survivor, s => s is not null, "the other saga row");

        await bus.Publish(new FinishCounter(id));

        await bus.WaitFor(id, s => s is null, "the finalized saga's row to be deleted");
        Assert.NotNull(await bus.Find(survivor));
    }
}
