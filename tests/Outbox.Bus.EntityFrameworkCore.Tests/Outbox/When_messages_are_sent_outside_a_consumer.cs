using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

/// <summary>The bus outbox: what an API handler publishes is written with its own changes and leaves only after SaveChanges.</summary>
public sealed class When_messages_are_sent_outside_a_consumer(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_deliver_nothing_before_SaveChanges_and_everything_right_after(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        // A poll interval far longer than the test: only the notification after SaveChanges can explain a quick delivery.
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, o => o.QueryDelay = TimeSpan.FromMinutes(5));
            x.AddConsumer<WidgetCreatedConsumer>();
            x.AddConsumer<NumberedConsumer, NumberedConsumerDefinition>();
        }, output: output);
        var widgetId = NewId.NextGuid();
        var batchId = NewId.NextGuid();

        await using var scope = host.CreateScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        var publishEndpoint = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var sendEndpointProvider = scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>();
        dbContext.Widgets.Add(new Widget { Id = widgetId, Name = "api" });
        await publishEndpoint.Publish(new WidgetCreated(widgetId));
        var numbered = await sendEndpointProvider.GetSendEndpoint(new Uri("queue:numbered"));
        await numbered.Send(new Numbered(batchId, 1));

        await Eventually.Never(() => received.All.Count > 0, TimeSpan.FromMilliseconds(500), "a message delivered before SaveChanges");
        Assert.Equal(0, await database.Count<OutboxMessage>());

        await dbContext.SaveChangesAsync();

        await Eventually.True(() => received.Of<WidgetCreated>().Count == 1 && received.Of<Numbered>().Count == 1, "the published and the sent message",
            TimeSpan.FromSeconds(5));
        Assert.Equal(1, await database.Count<Widget>());
        await Eventually.True(async () => await database.Count<OutboxMessage>() == 0 && await database.Count<OutboxState>() == 0,
            "the delivered rows to be removed");
    }

    [Fact]
    public async Task Should_deliver_nothing_when_the_changes_are_never_saved()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<WidgetCreatedConsumer>();
        }, output: output);

        await using (var scope = host.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new WidgetCreated(NewId.NextGuid()));

        await Eventually.Never(() => received.All.Count > 0, TimeSpan.FromSeconds(1), "a message whose scope never saved");
        Assert.Equal(0, await database.Count<OutboxMessage>());
    }

    [Fact]
    public async Task Should_deliver_a_batch_in_the_order_it_was_sent()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        // A small delivery limit, so the batch takes several delivery transactions and must resume where it stopped.
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, o => o.UseBusOutbox(b => b.MessageDeliveryLimit = 7));
            x.AddConsumer<NumberedConsumer, NumberedConsumerDefinition>();
        }, output: output);
        var batchId = NewId.NextGuid();

        await using (var scope = host.CreateScope())
        {
            var publishEndpoint = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            for (var i = 0; i < 30; i++)
                await publishEndpoint.Publish(new Numbered(batchId, i));
            await scope.ServiceProvider.GetRequiredService<TestDbContext>().SaveChangesAsync();
        }

        await Eventually.True(() => received.Of<Numbered>().Count == 30, "the whole batch");
        Assert.Equal(Enumerable.Range(0, 30), received.Of<Numbered>().Select(m => ((Numbered)m.Message).Sequence));
    }
}
