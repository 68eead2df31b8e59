using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_another_message_created_the_saga_first
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_treat_the_duplicate_insert_as_a_conflict_and_retry(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();

        // Attempt 0 finds no saga, but a competing row with its key is inserted before its own INSERT. The retry filter
        // only handles DbUpdateConcurrencyException, so a second attempt proves the primary-key violation became one.
        await bus.Publish(new StartCounter(id, "winner", SimulateConcurrentStart: true));

        var saga = await bus.WaitFor(id, s => s?.Name == "winner", "the saga created by the retry");
        Assert.Equal(("Active", 1), (saga!.CurrentState, saga.Version));
        Assert.Equal([0, 1], bus.Attempts.Attempts<StartCounter>(id));
    }
}
