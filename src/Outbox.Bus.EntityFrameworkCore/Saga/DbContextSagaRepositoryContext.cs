using MassTransit;
using MassTransit.Context;
using MassTransit.Logging;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// One message's view of the saga table. Every write is a SaveChanges in the surrounding transaction; with
/// <see cref="ISagaVersion" /> each write increments Version, whose loaded value EF Core puts in the WHERE clause, so a
/// write based on state someone else has changed since affects no row and throws
/// <see cref="DbUpdateConcurrencyException" />, which the endpoint's message retry turns into a fresh attempt.
/// </summary>
sealed class DbContextSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly DbContext _dbContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    readonly EntityFrameworkSagaRepositoryOptions<TSaga> _options;
    readonly List<TSaga> _touched = [];

    // The DbContext is a payload, and the saga's consume contexts are built on this context rather than the message's,
    // so that saga activities can reach the same DbContext (and transaction) with GetPayload<DbContext>().
    public DbContextSagaRepositoryContext(DbContext dbContext, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory,
        EntityFrameworkSagaRepositoryOptions<TSaga> options)
        : base(consumeContext, dbContext)
    {
        _dbContext = dbContext;
        _factory = factory;
        _options = options;
    }

    DbSet<TSaga> Sagas => _dbContext.Set<TSaga>();

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
    {
        // Nothing is written yet: the saga runs first, then MissingSagaPipe calls Save (or Discard).
        return _factory.CreateSagaConsumeContext(_dbContext, this, instance, SagaConsumeContextMode.Add);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        // No version increment: this row is a placeholder that the Update (or Delete) after the saga has run completes in
        // the same transaction, so the saga's first visible version is 1 whether or not it was pre-inserted.
        var entry = Sagas.Add(instance);
        try
        {
            await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException exception) when (exception is not DbUpdateConcurrencyException)
        {
            // Most likely the instance exists already. EF Core rolled its statement back to a savepoint, so the transaction
            // is still usable; returning null makes SendSagaPipe load the existing row instead.
            entry.State = EntityState.Detached;
            this.LogInsertFault<TSaga, TMessage>(exception, instance.CorrelationId);
            return null;
        }

        _touched.Add(instance);
        this.LogInsert<TSaga, TMessage>(instance.CorrelationId);

        return await _factory.CreateSagaConsumeContext(_dbContext, this, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        // A tracked instance wins over the row in an EF Core query, so one left over from an earlier attempt in the same
        // scope would hide the current state (and Version) and make every retry fail the same way.
        var stale = Sagas.Local.FindEntry(correlationId);
        if (stale is not null)
            stale.State = EntityState.Detached;

        var instance = await _options.Query(_dbContext)
            .AsTracking()
            .SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken)
            .ConfigureAwait(false);
        if (instance is null)
            return null;

        _touched.Add(instance);

        return await _factory.CreateSagaConsumeContext(_dbContext, this, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TSaga>> LoadMatching(ISagaQuery<TSaga> query)
    {
        foreach (var stale in _dbContext.ChangeTracker.Entries<TSaga>().ToList())
            stale.State = EntityState.Detached;

        var instances = await _options.Query(_dbContext)
            .AsTracking()
            .Where(query.FilterExpression)
            .ToListAsync(CancellationToken)
            .ConfigureAwait(false);

        _touched.AddRange(instances);
        return instances;
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        var saga = context.Saga;
        IncrementVersion(saga);
        Sagas.Add(saga);
        _touched.Add(saga);
        try
        {
            await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException exception) when (exception is not DbUpdateConcurrencyException)
        {
            // Two messages both found no instance and both created one; the loser's INSERT hits the primary key. That is
            // the same lost race as a stale update, so it surfaces as the same exception, and the retry finds the row.
            if (await ExistsInDatabase(saga.CorrelationId).ConfigureAwait(false))
            {
                throw new DbUpdateConcurrencyException(
                    $"{typeof(TSaga).Name} {saga.CorrelationId} was created by another message while this one was creating it.", exception);
            }

            throw;
        }
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        IncrementVersion(context.Saga);
        // A failed update (a lost race) always rolls the whole transaction back and retries: no savepoint needed.
        return _dbContext.SaveChangesWithoutSavepointAsync(CancellationToken);
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        // The DELETE carries the loaded Version too, so finalizing a saga that changed meanwhile is also a conflict.
        Sagas.Remove(context.Saga);
        return _dbContext.SaveChangesWithoutSavepointAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        Detach(context.Saga);
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        // Detached rather than reset to Unchanged: when the DbContext is shared with the outbox, its later SaveChanges
        // would otherwise detect and write the changes a read-only event made.
        Detach(context.Saga);
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class
    {
        return _factory.CreateSagaConsumeContext(_dbContext, consumeContext, instance, mode);
    }

    /// <summary>
    /// Forgets every instance this message loaded or wrote, after a failure: the scope's DbContext may serve a retry or
    /// the outbox's own SaveChanges, and neither may see this attempt's half-applied, stale state.
    /// </summary>
    public void DetachTouched()
    {
        foreach (var saga in _touched)
            Detach(saga);
    }

    void Detach(TSaga saga)
    {
        var entry = _dbContext.Entry(saga);
        if (entry.State != EntityState.Detached)
            entry.State = EntityState.Detached;
    }

    async Task<bool> ExistsInDatabase(Guid correlationId)
    {
        try
        {
            return await Sagas.AsNoTracking().AnyAsync(x => x.CorrelationId == correlationId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Unable to tell (e.g. the provider aborted the transaction); the original exception is reported instead.
            return false;
        }
    }

    static void IncrementVersion(TSaga saga)
    {
        if (saga is ISagaVersion versioned)
            versioned.Version++;
    }
}
