using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_the_consume_pipeline_already_opened_a_transaction
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_write_inside_it_and_leave_commit_or_rollback_to_its_owner(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database, o => o.RollBackInConsumeFilter = true);
        var id = Guid.NewGuid();

        await bus.Publish(new StartCounter(id, "rolled back"));

        var observed = await bus.TransactionProbe.WaitFor(id);
        Assert.Equal(("Active", 1), (observed.RowInsideTransaction?.CurrentState, observed.RowInsideTransaction?.Version));
        Assert.True(observed.TransactionStillOpenAfterSaga, "the saga repository ended the filter's transaction");
        Assert.Null(await bus.Find(id));
    }
}
