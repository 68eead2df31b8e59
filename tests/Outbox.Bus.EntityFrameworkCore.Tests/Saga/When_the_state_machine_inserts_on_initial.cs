using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_the_state_machine_inserts_on_initial
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_insert_first_and_fall_back_to_the_existing_row_in_the_same_transaction(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database, o => o.InsertOnInitial = true);
        var id = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "pre-inserted"));
        var created = await bus.WaitFor(id, s => s is not null, "the saga row");

        // The second start's pre-insert hits the primary key; the repository must then load the existing row within the
        // same transaction (on PostgreSQL only possible because the failed INSERT was rolled back to a savepoint).
        await bus.Publish(new StartCounter(id, "pre-inserted"));

        var updated = await bus.WaitFor(id, s => s?.Version == 2, "the second start to be applied to the existing row");
        Assert.Equal(("Active", 1), (created!.CurrentState, created.Version));
        Assert.Equal(("Active", "pre-inserted"), (updated!.CurrentState, updated.Name));
        Assert.Equal([0], bus.Attempts.Attempts<StartCounter>(id));
    }
}
