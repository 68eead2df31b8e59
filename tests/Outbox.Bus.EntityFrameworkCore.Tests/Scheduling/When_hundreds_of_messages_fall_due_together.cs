using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

public sealed class When_hundreds_of_messages_fall_due_together(ITestOutputHelper output)
{
    const int Count = 300;

    /// <summary>SQLite runs one instance (one writer by design); PostgreSQL runs two that compete for the same rows.</summary>
    [Theory]
    [InlineData(Provider.Sqlite, 1)]
    [InlineData(Provider.Postgres, 2)]
    public async Task Should_deliver_each_exactly_once_and_none_early(Provider provider, int instances)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();

        var hosts = new List<TestHost>();
        try
        {
            var starting = Enumerable.Range(0, instances).Select(i => TestHost.StartAsync(database, received, x =>
            {
                TestHost.AddOutbox(x, database, busOutbox: false);
                x.AddConsumer<ReminderConsumer>();
            }, ((char)('A' + i)).ToString(), scheduler: true, output: output)).ToList();
            foreach (var host in starting)
                hosts.Add(await host);

            // Written in one transaction by a process that does not deliver, so only the instances above can send them.
            var writer = await TestHost.StartAsync(database, received, x => TestHost.AddOutbox(x, database, o => o.DisableDeliveryService()), "writer",
                scheduler: true, output: output);
            hosts.Add(writer);
            var due = DateTime.UtcNow.AddSeconds(2.5);
            await using (var scope = writer.CreateScope())
            {
                var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
                for (var i = 0; i < Count; i++)
                    await scheduler.SchedulePublish(due.AddMilliseconds(i % 500), new Reminder(NewId.NextGuid()));
                await scope.ServiceProvider.GetRequiredService<TestDbContext>().SaveChangesAsync();
            }

            Assert.True(DateTime.UtcNow < due, "writing took longer than the test allows for; the 'not before' part would prove nothing");
            await Eventually.Never(() => received.Of<Reminder>().Count > 0, due - DateTime.UtcNow - TimeSpan.FromMilliseconds(50), "a reminder before it was due");
            await Eventually.True(() => received.Of<Reminder>().Count >= Count, "every reminder", TimeSpan.FromSeconds(30),
                () => $"{received.Of<Reminder>().Count} received");
            await Eventually.True(async () => await database.Count<OutboxMessage>() == 0, "the delivered rows to be removed");
            await Task.Delay(300); // a duplicate would show up now

            var reminders = received.Of<Reminder>();
            output.WriteLine(string.Join(", ", reminders.GroupBy(r => r.Host).Select(g => $"{g.Key}: {g.Count()}")));
            Assert.Equal(Count, reminders.Count);
            Assert.Equal(Count, reminders.Select(r => ((Reminder)r.Message).ReminderId).Distinct().Count());
            Assert.All(reminders, r => Assert.True(r.ReceivedAt >= due, $"received at {r.ReceivedAt:O}, before {due:O}"));
        }
        finally
        {
            foreach (var host in hosts)
                await host.DisposeAsync();
        }
    }
}
