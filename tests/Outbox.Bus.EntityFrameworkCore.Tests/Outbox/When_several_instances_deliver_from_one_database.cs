using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public sealed class When_several_instances_deliver_from_one_database(ITestOutputHelper output)
{
    const int Batches = 100;
    const int MessagesPerBatch = 2;

    [Fact]
    public async Task Should_deliver_every_message_exactly_once_on_postgres()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres);
        var received = new Received();

        // The writer only writes (as an API host whose delivery runs elsewhere), so that all the rows are waiting when the
        // two delivering instances start at the same moment and compete for them.
        await using (var writer = await TestHost.StartAsync(database, received, x => TestHost.AddOutbox(x, database, o => o.DisableDeliveryService()),
                         "writer", output: output))
        {
            for (var batch = 0; batch < Batches; batch++)
            {
                await using var scope = writer.CreateScope();
                var publishEndpoint = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
                var batchId = NewId.NextGuid();
                for (var i = 0; i < MessagesPerBatch; i++)
                    await publishEndpoint.Publish(new Numbered(batchId, i));
                await scope.ServiceProvider.GetRequiredService<TestDbContext>().SaveChangesAsync();
            }
        }

        Assert.Equal(Batches * MessagesPerBatch, await database.Count<OutboxMessage>());

        // Small transactions, so that both instances get a share of the work.
        void Instance(IBusRegistrationConfigurator x)
        {
            TestHost.AddOutbox(x, database, o =>
            {
                o.QueryMessageLimit = 5;
                o.UseBusOutbox(b => b.MessageDeliveryLimit = 10);
            });
            x.AddConsumer<NumberedConsumer>();
        }

        var starting = new[] { TestHost.StartAsync(database, received, Instance, "A", output: output), TestHost.StartAsync(database, received, Instance, "B", output: output) };
        await using var a = await starting[0];
        await using var b = await starting[1];

        await Eventually.True(() => received.Of<Numbered>().Count >= Batches * MessagesPerBatch, "every message", TimeSpan.FromSeconds(30),
            () => $"{received.Of<Numbered>().Count} received");
        await Eventually.True(async () => await database.Count<OutboxMessage>() == 0 && await database.Count<OutboxState>() == 0, "the rows to be removed");
        await Task.Delay(300); // a duplicate would show up now

        var messages = received.Of<Numbered>();
        output.WriteLine($"delivered by A: {messages.Count(m => m.Host == "A")}, by B: {messages.Count(m => m.Host == "B")}");
        Assert.Equal(Batches * MessagesPerBatch, messages.Count);
        Assert.Equal(Batches * MessagesPerBatch, messages.Select(m => m.MessageId).Distinct().Count());

        // Every batch arrived complete. (Order within a batch is asserted by the single-instance test: across two in-memory
        // buses the moment of consumption says nothing about the order of sending.)
        foreach (var batch in messages.GroupBy(m => ((Numbered)m.Message).BatchId))
            Assert.Equal(Enumerable.Range(0, MessagesPerBatch), batch.Select(m => ((Numbered)m.Message).Sequence).Order());
    }
}
