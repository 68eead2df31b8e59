using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_many_events_race_for_one_saga_on_two_buses(ITestOutputHelper output)
{
    const int EventsPerBus = 25;

    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_apply_every_event_exactly_once(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        // Two workers on one database, each taking several messages at once: every increment races the others for the
        // same row, within a bus and across the two.
        void Racing(SagaTestBusOptions o)
        {
            o.ConcurrentMessageLimit = 4;
            o.RetryLimit = 30;
        }
        await using var first = await SagaTestBus.StartAsync(database, Racing);
        await using var second = await SagaTestBus.StartAsync(database, Racing);
        var id = Guid.NewGuid();

        // Both workers start the saga at once: one inserts it, the other either sees it or loses the insert race and
        // retries into Ignore(Started).
        await Task.WhenAll(first.Publish(new StartCounter(id, "raced")), second.Publish(new StartCounter(id, "raced")));
        await first.WaitFor(id, s => s is not null, "the saga row");
        await Task.WhenAll(Enumerable.Range(0, EventsPerBus)
            .SelectMany(_ => new[] { first.Publish(new IncrementCounter(id)), second.Publish(new IncrementCounter(id)) }));

        // Each of the 2 starts and 2 x 25 increments writes the row exactly once.
        const int expectedVersion = 2 + 2 * EventsPerBus;
        var saga = await first.WaitFor(id, s => s?.Version >= expectedVersion, $"version {expectedVersion}");
        output.WriteLine($"{provider}: retries {first.Attempts.Retries} + {second.Attempts.Retries}; saga {SagaTestBus.Describe(saga)}");

        // SQLite serializes writers (EF Core begins its transactions with BEGIN IMMEDIATE), so only PostgreSQL races here.
        if (provider == DatabaseProvider.PostgreSql)
            Assert.True(first.Attempts.Retries + second.Attempts.Retries > 0, "no message was retried, so the workers never raced");
        Assert.Equal(2 * EventsPerBus, saga!.Counter);
        Assert.Equal(expectedVersion, saga.Version);
        foreach (var bus in new[] { first, second })
        {
            var seen = await bus.Services.GetRequiredService<ILoadSagaRepository<CounterState>>().Load(id);
            Assert.Equal((2 * EventsPerBus, expectedVersion), (seen.Counter, seen.Version));
        }
    }
}
