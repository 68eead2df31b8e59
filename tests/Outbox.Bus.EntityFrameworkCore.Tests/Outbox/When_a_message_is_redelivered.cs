using MassTransit;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public sealed class When_a_message_is_redelivered(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_consume_it_once(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<CreateWidgetConsumer>();
            x.AddConsumer<WidgetCreatedConsumer>();
        }, output: output);
        var messageId = NewId.NextGuid();
        var widgetId = NewId.NextGuid();

        await host.Publish(new CreateWidget(widgetId, "once"), c => c.MessageId = messageId);
        await Eventually.True(() => received.Of<WidgetCreated>().Count == 1, "WidgetCreated");
        await host.Publish(new CreateWidget(widgetId, "once"), c => c.MessageId = messageId);

        await Eventually.True(async () => await ReceiveCount(database, messageId) == 2, "the redelivery to reach the inbox");
        await Eventually.Never(() => received.Of<WidgetCreated>().Count > 1, TimeSpan.FromMilliseconds(500), "a second WidgetCreated");
        Assert.Single(received.Of<CreateWidget>());
        Assert.Equal(1, await database.Count<Widget>());
    }

    [Fact]
    public async Task Should_consume_it_again_once_the_duplicate_detection_window_passed()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, o => o.DuplicateDetectionWindow = TimeSpan.FromMilliseconds(500));
            x.AddConsumer<CreateWidgetConsumer>();
            x.AddConsumer<WidgetCreatedConsumer>();
        }, output: output);
        var messageId = NewId.NextGuid();

        await host.Publish(new CreateWidget(NewId.NextGuid(), "first"), c => c.MessageId = messageId);
        await Eventually.True(() => received.Of<WidgetCreated>().Count == 1, "WidgetCreated");
        await Eventually.True(async () => await database.Count<InboxState>() == 0, "the cleanup service to remove the inbox mark");
        await host.Publish(new CreateWidget(NewId.NextGuid(), "second"), c => c.MessageId = messageId);

        await Eventually.True(() => received.Of<WidgetCreated>().Count == 2, "the second WidgetCreated");
        Assert.Equal(2, received.Of<CreateWidget>().Count);
        Assert.Equal(2, await database.Count<Widget>());
    }

    static async Task<int> ReceiveCount(TestDatabase database, Guid messageId)
    {
        await using var dbContext = database.CreateDbContext();
        return await dbContext.Set<InboxState>().Where(i => i.MessageId == messageId).Select(i => i.ReceiveCount).SingleOrDefaultAsync();
    }
}
