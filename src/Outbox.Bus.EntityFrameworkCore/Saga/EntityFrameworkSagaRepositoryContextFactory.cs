using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The seam MassTransit's <c>SagaRepository</c> machinery calls for every message (Send, SendQuery) and for reads outside a
/// consumer (Execute). Registered scoped: MassTransit resolves it from the message's service scope, or from a fresh scope
/// for <see cref="ILoadSagaRepository{TSaga}" /> and <see cref="IQuerySagaRepository{TSaga}" />.
/// </summary>
sealed class EntityFrameworkSagaRepositoryContextFactory<TDbContext, TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _consumeContextFactory;
    readonly EntityFrameworkSagaRepositoryOptions<TSaga> _options;
    readonly IServiceProvider _scopedProvider;

    public EntityFrameworkSagaRepositoryContextFactory(IServiceProvider scopedProvider, EntityFrameworkSagaRepositoryOptions<TSaga> options,
        ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory)
    {
        _scopedProvider = scopedProvider;
        _options = options;
        _consumeContextFactory = consumeContextFactory;
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("dbContext", typeof(TDbContext).Name);
        context.Add("concurrencyMode", nameof(ConcurrencyMode.Optimistic));
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        return InUnitOfWork(context, repositoryContext => next.Send(repositoryContext));
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        return InUnitOfWork(context, async repositoryContext =>
        {
            var instances = await repositoryContext.LoadMatching(query).ConfigureAwait(false);

            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
        });
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        return asyncMethod(CreateReadContext(cancellationToken));
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        return asyncMethod(CreateReadContext(cancellationToken));
    }

    DbContextSagaReadContext<TSaga> CreateReadContext(CancellationToken cancellationToken)
    {
        // Reads are single statements without tracking: they need neither a transaction nor the message's scope.
        var dbContext = _scopedProvider.GetRequiredService<TDbContext>();
        SagaModelCheck<TSaga>.EnsureMapped(dbContext);
        return new DbContextSagaReadContext<TSaga>(dbContext, _options, cancellationToken);
    }

    async Task InUnitOfWork<T>(ConsumeContext<T> context, Func<DbContextSagaRepositoryContext<TSaga, T>, Task> work)
        where T : class
    {
        // The DbContext must come from the message's scope: that is the instance on which the outbox filter opened its
        // transaction. Only an IServiceScope payload identifies that scope; a bare IServiceProvider payload can be the
        // bus's root provider, and a scoped DbContext taken from there would be shared by concurrent messages. MassTransit
        // always supplies the scope; without one the repository makes its own rather than guess.
        AsyncServiceScope? ownScope = context.TryGetPayload(out IServiceScope? messageScope) ? null : _scopedProvider.CreateAsyncScope();
        try
        {
            var provider = messageScope?.ServiceProvider ?? ownScope!.Value.ServiceProvider;
            var dbContext = provider.GetRequiredService<TDbContext>();
            SagaModelCheck<TSaga>.EnsureMapped(dbContext);

            if (dbContext.Database.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null)
                await JoinTransaction(dbContext, context, work).ConfigureAwait(false);
            else
                await OwnTransaction(dbContext, context, work).ConfigureAwait(false);
        }
        finally
        {
            if (ownScope is { } scope)
                await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    async Task JoinTransaction<T>(DbContext dbContext, ConsumeContext<T> context, Func<DbContextSagaRepositoryContext<TSaga, T>, Task> work)
        where T : class
    {
        // Whoever opened the transaction (the outbox consume filter, or an ambient TransactionScope) commits or rolls it
        // back together with its own rows, so the saga only writes through SaveChanges here. The owner also runs the
        // execution strategy around its transaction; none is started here, as a retrying strategy refuses to start
        // inside a transaction.
        var repositoryContext = CreateRepositoryContext(dbContext, context);
        try
        {
            await work(repositoryContext).ConfigureAwait(false);
        }
        catch
        {
            repositoryContext.DetachTouched();
            throw;
        }
    }

    Task OwnTransaction<T>(DbContext dbContext, ConsumeContext<T> context, Func<DbContextSagaRepositoryContext<TSaga, T>, Task> work)
        where T : class
    {
        // A retrying execution strategy (EnableRetryOnFailure) replays the whole delegate after a transient failure, so
        // the transaction and everything the saga does in it are inside: replaying only the failed statement would commit
        // half a unit of work.
        var strategy = dbContext.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async cancellationToken =>
        {
            var repositoryContext = CreateRepositoryContext(dbContext, context);

            await using var transaction = await dbContext.Database.BeginTransactionAsync(_options.IsolationLevel, cancellationToken)
                .ConfigureAwait(false);
            try
            {
                await work(repositoryContext).ConfigureAwait(false);

                // Once the saga has run, giving up at the commit would only make the broker redeliver the message and redo
                // the same work, so a stopping bus does not cancel it.
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                repositoryContext.DetachTouched();
                await RollBackQuietly(transaction).ConfigureAwait(false);
                throw;
            }
        }, context.CancellationToken);
    }

    DbContextSagaRepositoryContext<TSaga, T> CreateRepositoryContext<T>(DbContext dbContext, ConsumeContext<T> context)
        where T : class
    {
        return new DbContextSagaRepositoryContext<TSaga, T>(dbContext, context, _consumeContextFactory, _options);
    }

    static async Task RollBackQuietly(IDbContextTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connection may be gone, which ends the transaction on the server anyway; the exception that got us
            // here is the one worth reporting.
        }
    }
}
