using MassTransit;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

/// <summary>
/// A state machine's Schedule/Unschedule reach the database scheduler through the consume context and are written in the
/// EF outbox's transaction; the token travels as MT-Scheduling-TokenId so the saga accepts only its current schedule.
/// (The saga state itself is in memory here: the EF saga repository is tested on its own.)
/// </summary>
public sealed class When_a_state_machine_schedules_through_the_outbox(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_deliver_the_scheduled_event_when_due()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await StartAsync(database, received);
        var timerId = NewId.NextGuid();
        var started = DateTime.UtcNow;

        await host.Publish(new StartTimer(timerId, TimeSpan.FromMilliseconds(800)));

        await Eventually.True(() => received.Of<TimerFired>().Count == 1, "TimerFired");
        Assert.True(received.Of<TimerFired>().Single().ReceivedAt >= started.AddMilliseconds(800));
        await Eventually.Never(() => received.Of<TimerFired>().Count > 1, TimeSpan.FromMilliseconds(300), "a second TimerFired");
    }

    [Fact]
    public async Task Should_never_deliver_an_unscheduled_event()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await StartAsync(database, received);
        var timerId = NewId.NextGuid();

        await host.Publish(new StartTimer(timerId, TimeSpan.FromSeconds(1.5)));
        await Eventually.True(async () => await ScheduledRows(database) == 1, "the schedule to be committed");
        await host.Publish(new StopTimer(timerId));

        await Eventually.True(async () => await ScheduledRows(database) == 0, "the schedule to be cancelled");
        await Eventually.Never(() => received.Of<TimerFired>().Count > 0, TimeSpan.FromSeconds(2), "TimerFired after Unschedule");
    }

    [Fact]
    public async Task Should_deliver_only_the_rescheduled_event()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await StartAsync(database, received);
        var timerId = NewId.NextGuid();

        await host.Publish(new StartTimer(timerId, TimeSpan.FromMilliseconds(1200)));
        await Eventually.True(async () => await ScheduledRows(database) == 1, "the first schedule to be committed");
        var delayed = DateTime.UtcNow;
        await host.Publish(new DelayTimer(timerId, TimeSpan.FromMilliseconds(1500)));

        await Eventually.True(() => received.Of<TimerFired>().Count == 1, "TimerFired");
        Assert.True(received.Of<TimerFired>().Single().ReceivedAt >= delayed.AddMilliseconds(1500), "fired at the replaced schedule's time");
        await Eventually.Never(() => received.Of<TimerFired>().Count > 1, TimeSpan.FromMilliseconds(500), "a second TimerFired");
        Assert.Equal(0, await ScheduledRows(database));
    }

    [Fact]
    public async Task Should_not_schedule_when_the_saga_fails_after_scheduling()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await StartAsync(database, received);

        await host.Publish(new StartTimer(NewId.NextGuid(), TimeSpan.FromMilliseconds(300), FailAfterScheduling: true));

        await Eventually.Never(() => received.Of<TimerFired>().Count > 0, TimeSpan.FromSeconds(1.2), "TimerFired from a saga that failed");
        Assert.Equal(0, await database.Count<OutboxMessage>());
        Assert.Equal(0, await database.Count<InboxState>());
    }

    static Task<int> ScheduledRows(TestDatabase database) => database.Count<OutboxMessage>(q => q.Where(m => m.EnqueueTime != null));

    Task<TestHost> StartAsync(TestDatabase database, Received received) =>
        TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddSagaStateMachine<TimerStateMachine, TimerState>().InMemoryRepository();
            x.AddConsumer<TimerFiredConsumer>();
        }, scheduler: true, output: output);
}

public record StartTimer(Guid TimerId, TimeSpan Delay, bool FailAfterScheduling = false);

public record DelayTimer(Guid TimerId, TimeSpan Delay);

public record StopTimer(Guid TimerId);

public record TimerElapsed(Guid TimerId);

public record TimerFired(Guid TimerId);

public class TimerState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public Guid? TimeoutTokenId { get; set; }
}

public sealed class TimerStateMachine : MassTransitStateMachine<TimerState>
{
    public TimerStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, e => e.CorrelateById(m => m.Message.TimerId));
        Event(() => Delayed, e => e.CorrelateById(m => m.Message.TimerId));
        Event(() => Stopped, e => e.CorrelateById(m => m.Message.TimerId));
        Schedule(() => Timeout, x => x.TimeoutTokenId, s =>
        {
            s.Delay = TimeSpan.FromSeconds(1);
            s.Received = r => r.CorrelateById(m => m.Message.TimerId);
        });

        Initially(
            When(Started)
                .Schedule(Timeout, c => new TimerElapsed(c.Saga.CorrelationId), c => c.Message.Delay)
                .If(c => c.Message.FailAfterScheduling, fail => fail.Then(_ => throw new InvalidOperationException("Failing after scheduling, on purpose.")))
                .TransitionTo(Running));

        During(Running,
            When(Delayed)
                .Schedule(Timeout, c => new TimerElapsed(c.Saga.CorrelationId), c => c.Message.Delay),
            When(Stopped)
                .Unschedule(Timeout)
                .TransitionTo(Halted),
            When(Timeout.Received)
                .Publish(c => new TimerFired(c.Saga.CorrelationId))
                .TransitionTo(Fired));
    }

    public State Running { get; private set; } = null!;
    public State Halted { get; private set; } = null!;
    public State Fired { get; private set; } = null!;

    public Event<StartTimer> Started { get; private set; } = null!;
    public Event<DelayTimer> Delayed { get; private set; } = null!;
    public Event<StopTimer> Stopped { get; private set; } = null!;

    public Schedule<TimerState, TimerElapsed> Timeout { get; private set; } = null!;
}

public sealed class TimerFiredConsumer(Received received, HostName host) : IConsumer<TimerFired>
{
    public Task Consume(ConsumeContext<TimerFired> context)
    {
        received.Add(context, host);
        return Task.CompletedTask;
    }
}
