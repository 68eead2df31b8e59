using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

// On its first attempt the saga moves its own row to the next version (and adds 100 to the counter) between the
// repository's load and save, as a competing worker's commit would. It does so through the repository's DbContext and
// transaction, because on SQLite no other connection can write while that transaction is open; so rolling back the stale
// attempt also undoes the competing change, and the retry starts again from version 1. (Conflicts with changes that stay
// committed are in When_many_events_race_for_one_saga_on_two_buses.)
public sealed class When_the_saga_changed_after_it_was_loaded
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_reject_the_stale_update_and_retry_the_message(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var id = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "stale"));
        await bus.WaitFor(id, s => s?.Version == 1, "the saga row");

        await bus.Publish(new IncrementCounterRacingAnotherWorker(id));

        // The retry filter handles only DbUpdateConcurrencyException, so attempt 1 proves that is what the stale write threw.
        var saga = await bus.WaitFor(id, s => s?.Counter > 0, "the increment");
        Assert.Equal((1, 2), (saga!.Counter, saga.Version));
        Assert.Equal([0, 1], bus.Attempts.Attempts<IncrementCounterRacingAnotherWorker>(id));
    }

    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_discard_the_stale_instance_when_the_retry_reuses_the_db_context(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        // With the scope outside the retry, attempt 1 gets attempt 0's DbContext. Had the repository kept the stale,
        // already-incremented instance tracked, EF Core would hand it back instead of the row and the increment would be
        // applied twice (counter 2).
        await using var bus = await SagaTestBus.StartAsync(database, o => o.MessageScopeAroundRetry = true);
        var id = Guid.NewGuid();
        await bus.Publish(new StartCounter(id, "stale"));
        await bus.WaitFor(id, s => s?.Version == 1, "the saga row");

        await bus.Publish(new IncrementCounterRacingAnotherWorker(id));

        var saga = await bus.WaitFor(id, s => s?.Counter > 0, "the increment");
        Assert.Equal((1, 2), (saga!.Counter, saga.Version));
        Assert.Equal([0, 1], bus.Attempts.Attempts<IncrementCounterRacingAnotherWorker>(id));
    }
}
