using Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga;

public sealed class When_an_event_is_correlated_by_a_query
{
    [Theory]
    [MemberData(nameof(SagaDatabase.Providers), MemberType = typeof(SagaDatabase))]
    public async Task Should_update_every_matching_saga_and_no_other(DatabaseProvider provider)
    {
        await using var database = await SagaDatabase.CreateAsync(provider);
        await using var bus = await SagaTestBus.StartAsync(database);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var other = Guid.NewGuid();
        await bus.Publish(new StartCounter(first, "group"));
        await bus.Publish(new StartCounter(second, "group"));
        await bus.Publish(new StartCounter(other, "elsewhere"));
        foreach (var id in new[] { first, second, other })
            await bus.WaitFor(id, s => s is not null, "the saga rows");

        await bus.Publish(new IncrementCountersNamed("group"));

        var firstSaga = await bus.WaitFor(first, s => s?.Counter == 1, "the first matching saga");
        var secondSaga = await bus.WaitFor(second, s => s?.Counter == 1, "the second matching saga");
        var otherSaga = await bus.Find(other);
        Assert.Equal((1, 2), (firstSaga!.Counter, firstSaga.Version));
        Assert.Equal((1, 2), (secondSaga!.Counter, secondSaga.Version));
        Assert.Equal((0, 1), (otherSaga!.Counter, otherSaga.Version));
    }
}
