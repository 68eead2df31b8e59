using MassTransit;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public sealed class When_a_consumer_succeeds(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_commit_its_changes_and_deliver_what_it_published(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<CreateWidgetConsumer>();
            x.AddConsumer<WidgetCreatedConsumer>();
        }, output: output);
        var widgetId = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        await host.Publish(new CreateWidget(widgetId, "fine"), c =>
        {
            c.MessageId = messageId;
            c.TimeToLive = TimeSpan.FromMinutes(5);
        });

        await Eventually.True(() => received.Of<WidgetCreated>().Count == 1, "WidgetCreated");
        await Eventually.True(async () => await database.Count<OutboxMessage>() == 0, "the delivered outbox rows to be removed");
        Assert.Equal(1, await database.Count<Widget>(q => q.Where(w => w.Id == widgetId)));
        await using var dbContext = database.CreateDbContext();
        var inbox = await dbContext.Set<InboxState>().SingleAsync(i => i.MessageId == messageId);
        Assert.NotNull(inbox.Consumed);
        Assert.NotNull(inbox.Delivered);
        Assert.Equal(1, inbox.ReceiveCount);
        Assert.NotNull(inbox.ExpirationTime);
        Assert.Single(received.Of<CreateWidget>());
    }
}
