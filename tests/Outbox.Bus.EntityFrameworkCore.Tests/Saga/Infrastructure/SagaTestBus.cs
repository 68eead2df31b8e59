using System.Diagnostics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

public sealed class SagaTestBusOptions
{
    public int ConcurrentMessageLimit { get; set; } = 1;
    public int RetryLimit { get; set; } = 5;

    /// <summary>Puts <see cref="RollbackTransactionFilter{T}" /> in the saga's pipeline, where the outbox filter goes.</summary>
    public bool RollBackInConsumeFilter { get; set; }

    /// <summary>
    /// One service scope per message, created before the retry filter, so that every attempt gets the same DbContext
    /// (instead of a scope per attempt).
    /// </summary>
    public bool MessageScopeAroundRetry { get; set; }

    /// <summary>The state machine's InsertOnInitial: the repository inserts the instance before an initial event runs.</summary>
    public bool InsertOnInitial { get; set; }
}

/// <summary>
/// One worker: its own service provider, MassTransit test harness (in-memory bus) and counter saga on the EF Core saga
/// repository, over a database that several workers may share.
/// </summary>
public sealed class SagaTestBus : IAsyncDisposable
{
    static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);

    // Makes the harness's message lists return what they hold now instead of waiting for more.
    static readonly CancellationToken AlreadyCancelled = new(canceled: true);

    readonly ServiceProvider _provider;

    SagaTestBus(ServiceProvider provider, SagaDatabase database)
    {
        _provider = provider;
        Database = database;
    }

    public SagaDatabase Database { get; }
    public IServiceProvider Services => _provider;
    public ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();
    public AttemptLog Attempts => _provider.GetRequiredService<AttemptLog>();
    public TransactionProbe TransactionProbe => _provider.GetRequiredService<TransactionProbe>();

    public static async Task<SagaTestBus> StartAsync(SagaDatabase database, Action<SagaTestBusOptions>? configure = null)
    {
        var options = new SagaTestBusOptions();
        configure?.Invoke(options);

        var services = new ServiceCollection();
        services.AddDbContext<SagaTestDbContext>(database.Configure);
        services.AddSingleton<AttemptLog>();
        services.AddSingleton<TransactionProbe>();
        services.AddSingleton(options);
        // TextWriter.Null: the concurrency test's expected conflicts would otherwise flood the output with retry logs.
        services.AddMassTransitTestHarness(TextWriter.Null, x =>
        {
            x.AddSagaStateMachine<CounterStateMachine, CounterState>()
                .EntityFrameworkRepository(r =>
                {
                    r.ConcurrencyMode = ConcurrencyMode.Optimistic;
                    r.ExistingDbContext<SagaTestDbContext>();
                });

            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                endpoint.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                if (options.MessageScopeAroundRetry)
                    endpoint.UseMessageScope(context);
                // Conflicts clear up on a fresh attempt; jittered back-off keeps racing workers from colliding again in lockstep.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<DbUpdateConcurrencyException>();
                    r.Exponential(options.RetryLimit, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(10));
                });
                if (options.RollBackInConsumeFilter)
                    endpoint.UseConsumeFilter(typeof(RollbackTransactionFilter<>), context);
            });
        });

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        try
        {
            await provider.GetRequiredService<ITestHarness>().Start();
            return new SagaTestBus(provider, database);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    public Task Publish<T>(T message)
        where T : class => Harness.Bus.Publish(message);

    public async Task<CounterState?> Find(Guid correlationId)
    {
        await using var dbContext = Database.CreateDbContext();
        return await dbContext.Set<CounterState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId);
    }

    /// <summary>Polls the database until the saga row satisfies <paramref name="condition" /> (null: no row).</summary>
    public async Task<CounterState?> WaitFor(Guid correlationId, Func<CounterState?, bool> condition, string description)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var saga = await Find(correlationId);
            if (condition(saga))
                return saga;

            // A message that ran out of retries will never produce the awaited state; say why at once.
            if (Harness.Published.Select<Fault>(AlreadyCancelled).FirstOrDefault() is { } fault)
            {
                var exception = fault.Context.Message.Exceptions.FirstOrDefault();
                Assert.Fail($"A message faulted while waiting for {description}: {exception?.ExceptionType}: {exception?.Message}. " +
                    $"Saga now: {Describe(saga)}.");
            }

            if (stopwatch.Elapsed > WaitTimeout)
                Assert.Fail($"Timed out waiting for {description}. Saga now: {Describe(saga)}.");

            await Task.Delay(50);
        }
    }

    public static string Describe(CounterState? saga) =>
        saga is null ? "no row" : $"{saga.CurrentState}, Name={saga.Name}, Counter={saga.Counter}, Version={saga.Version}";

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
    }
}
