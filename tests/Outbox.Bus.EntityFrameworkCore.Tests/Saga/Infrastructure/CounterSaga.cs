using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

public sealed class CounterState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }
    public string Name { get; set; } = "";
    public int Counter { get; set; }
}

public sealed record StartCounter(Guid CorrelationId, string Name, bool SimulateConcurrentStart = false);

public sealed record IncrementCounter(Guid CorrelationId);

// Changes the row behind the saga's back on the first attempt, as a second worker committing between this message's
// load and its save would.
public sealed record IncrementCounterRacingAnotherWorker(Guid CorrelationId);

public sealed record IncrementCountersNamed(string Name);

public sealed record FinishCounter(Guid CorrelationId);

public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public const string CompetitorName = "competitor";
    public const int CompetitorIncrement = 100;

    public CounterStateMachine(AttemptLog attempts, SagaTestBusOptions options)
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, x =>
        {
            x.CorrelateById(m => m.Message.CorrelationId);
            x.InsertOnInitial = options.InsertOnInitial;
            x.SetSagaFactory(m => new CounterState { CorrelationId = m.Message.CorrelationId });
        });
        Event(() => Incremented, x => x.CorrelateById(m => m.Message.CorrelationId));
        Event(() => IncrementedRacingAnotherWorker, x => x.CorrelateById(m => m.Message.CorrelationId));
        Event(() => IncrementedByName, x => x.CorrelateBy((saga, m) => saga.Name == m.Message.Name));
        Event(() => Finished, x => x.CorrelateById(m => m.Message.CorrelationId));

        Initially(
            When(Started)
                .ThenAsync(async context =>
                {
                    var attempt = context.GetRetryAttempt();
                    attempts.Record<StartCounter>(context.Saga.CorrelationId, attempt);
                    if (context.Message.SimulateConcurrentStart && attempt == 0)
                        await InsertCompetitor(context);
                    context.Saga.Name = context.Message.Name;
                })
                .TransitionTo(Active));

        During(Active,
            // A second StartCounter for a saga that exists is harmless; the concurrency test sends one from each bus.
            Ignore(Started),
            When(Incremented)
                .Then(context =>
                {
                    attempts.Record<IncrementCounter>(context.Saga.CorrelationId, context.GetRetryAttempt());
                    context.Saga.Counter++;
                }),
            When(IncrementedRacingAnotherWorker)
                .ThenAsync(async context =>
                {
                    var attempt = context.GetRetryAttempt();
                    attempts.Record<IncrementCounterRacingAnotherWorker>(context.Saga.CorrelationId, attempt);
                    if (attempt == 0)
                        await CommitCompetingIncrement(context);
                    context.Saga.Counter++;
                }),
            When(IncrementedByName)
                .Then(context => context.Saga.Counter++),
            When(Finished)
                .Finalize());

        SetCompletedWhenFinalized();
    }

    public State Active { get; private set; } = null!;

    public Event<StartCounter> Started { get; private set; } = null!;
    public Event<IncrementCounter> Incremented { get; private set; } = null!;
    public Event<IncrementCounterRacingAnotherWorker> IncrementedRacingAnotherWorker { get; private set; } = null!;
    public Event<IncrementCountersNamed> IncrementedByName { get; private set; } = null!;
    public Event<FinishCounter> Finished { get; private set; } = null!;

    // Same DbContext and transaction as the repository (a payload of the saga's context), so it works on SQLite too, where a
    // second connection could not write while the repository's transaction holds the database's write lock.
    static Task<int> CommitCompetingIncrement(BehaviorContext<CounterState, IncrementCounterRacingAnotherWorker> context)
    {
        var id = context.Saga.CorrelationId;
        return context.GetPayload<DbContext>().Set<CounterState>()
            .Where(x => x.CorrelationId == id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Counter, x => x.Counter + CompetitorIncrement)
                .SetProperty(x => x.Version, x => x.Version + 1));
    }

    // A row with the new saga's key appears before the saga's own INSERT, as when another message created it first.
    static async Task InsertCompetitor(BehaviorContext<CounterState, StartCounter> context)
    {
        var dbContext = context.GetPayload<DbContext>();
        var competitor = new CounterState
        {
            CorrelationId = context.Saga.CorrelationId,
            CurrentState = nameof(Active),
            Name = CompetitorName,
            Version = 1,
        };
        dbContext.Add(competitor);
        await dbContext.SaveChangesAsync();
        dbContext.Entry(competitor).State = EntityState.Detached;
    }
}

public sealed class CounterStateMap : SagaClassMap<CounterState>
{
    protected override void Configure(EntityTypeBuilder<CounterState> entity, ModelBuilder model)
    {
        entity.ToTable("counter_states");
        entity.Property(x => x.CurrentState).HasMaxLength(64);
        entity.Property(x => x.Name).HasMaxLength(100);
        entity.HasIndex(x => x.Name);
    }
}

public sealed class SagaTestDbContext(DbContextOptions<SagaTestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplySagaClassMap(new CounterStateMap());
    }
}
