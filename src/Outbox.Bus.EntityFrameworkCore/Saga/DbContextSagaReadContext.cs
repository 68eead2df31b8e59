using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>Backs <see cref="ILoadSagaRepository{TSaga}" /> and <see cref="IQuerySagaRepository{TSaga}" />: untracked reads.</summary>
sealed class DbContextSagaReadContext<TSaga> :
    BasePipeContext,
    LoadSagaRepositoryContext<TSaga>,
    QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    readonly DbContext _dbContext;
    readonly EntityFrameworkSagaRepositoryOptions<TSaga> _options;

    public DbContextSagaReadContext(DbContext dbContext, EntityFrameworkSagaRepositoryOptions<TSaga> options, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _dbContext = dbContext;
        _options = options;
    }

    // MassTransit annotates the result as non-null, but its contract (and LoadSagaRepository's callers) expect null for
    // an unknown id.
    public async Task<TSaga> Load(Guid correlationId)
    {
        return (await _options.Query(_dbContext)
            .AsNoTracking()
            .SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken)
            .ConfigureAwait(false))!;
    }

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken);
        List<Guid> correlationIds = await _options.Query(_dbContext)
            .AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(linked.Token)
            .ConfigureAwait(false);

        return new DefaultSagaRepositoryQueryContext<TSaga>(this, correlationIds);
    }
}
