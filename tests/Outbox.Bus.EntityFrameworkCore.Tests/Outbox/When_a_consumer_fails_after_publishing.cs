using MassTransit;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public sealed class When_a_consumer_fails_after_publishing(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_publish_nothing_and_roll_back_its_changes(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<CreateWidgetConsumer>();
            x.AddConsumer<WidgetCreatedConsumer>();
        }, output: output);

        await host.Publish(new CreateWidget(NewId.NextGuid(), "broken", FailAfterPublishing: true));

        await Eventually.True(() => received.Of<CreateWidget>().Count == 1, "the consumer to run");
        await Eventually.Never(() => received.Of<WidgetCreated>().Count > 0, TimeSpan.FromSeconds(1), "WidgetCreated from a consumer that failed");
        Assert.Equal(0, await database.Count<Widget>());
        Assert.Equal(0, await database.Count<OutboxMessage>());
        Assert.Equal(0, await database.Count<InboxState>());
    }
}
