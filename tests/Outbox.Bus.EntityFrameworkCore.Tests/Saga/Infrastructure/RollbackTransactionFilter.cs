using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

/// <summary>
/// Stands in for the outbox consume filter: begins a transaction on the message scope's DbContext before the saga runs and
/// ends it afterwards, here always by rolling back, recording what the saga left inside it.
/// </summary>
public sealed class RollbackTransactionFilter<T>(SagaTestDbContext dbContext, TransactionProbe probe) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        await using var transaction = await dbContext.Database.BeginTransactionAsync(context.CancellationToken);

        await next.Send(context);

        var id = context.CorrelationId ?? Guid.Empty;
        var rowInsideTransaction = await dbContext.Set<CounterState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id);
        var stillOurs = dbContext.Database.CurrentTransaction == transaction;

        await transaction.RollbackAsync(CancellationToken.None);

        probe.Complete(id, new TransactionObservation(rowInsideTransaction, stillOurs));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rollbackTransaction");
}

public sealed record TransactionObservation(CounterState? RowInsideTransaction, bool TransactionStillOpenAfterSaga);

public sealed class TransactionProbe
{
    readonly ConcurrentDictionary<Guid, TaskCompletionSource<TransactionObservation>> _observations = new();

    public void Complete(Guid correlationId, TransactionObservation observation) => Source(correlationId).TrySetResult(observation);

    public Task<TransactionObservation> WaitFor(Guid correlationId) => Source(correlationId).Task.WaitAsync(TimeSpan.FromSeconds(30));

    TaskCompletionSource<TransactionObservation> Source(Guid correlationId) =>
        _observations.GetOrAdd(correlationId, _ => new TaskCompletionSource<TransactionObservation>(TaskCreationOptions.RunContinuationsAsynchronously));
}
