using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

public sealed class When_every_instance_was_down_at_the_due_time(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_deliver_it_once_as_soon_as_an_instance_starts(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        DateTime due;

        await using (var a = await Start(database, received, "A"))
        {
            due = DateTime.UtcNow.AddSeconds(1.5);
            await using var scope = a.CreateScope();
            await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().SchedulePublish(due, new Reminder(NewId.NextGuid()));
        }
        // Host A is stopped and gone before the due time; nothing runs while the message falls due.
        Assert.True(DateTime.UtcNow < due, "host A outlived the due time; the test would prove nothing");
        await Task.Delay(due - DateTime.UtcNow + TimeSpan.FromMilliseconds(500));
        Assert.Empty(received.All);

        await using var b = await Start(database, received, "B");

        await Eventually.True(() => received.Of<Reminder>().Count == 1, "the overdue reminder", TimeSpan.FromSeconds(5));
        await Eventually.Never(() => received.Of<Reminder>().Count > 1, TimeSpan.FromMilliseconds(300), "a second delivery");
        Assert.Equal("B", received.Of<Reminder>().Single().Host);
        Assert.Equal(0, await database.Count<OutboxMessage>());
    }

    /// <summary>
    /// The scheduler alone, without AddEntityFrameworkOutbox: its database is detected from the DbContext's provider and
    /// its settings are the options' (here only the poll interval is shortened).
    /// </summary>
    Task<TestHost> Start(TestDatabase database, Received received, string name) =>
        TestHost.StartAsync(database, received, x =>
        {
            x.Configure<EntityFrameworkOutboxOptions<TestDbContext>>(o => o.QueryDelay = TestHost.FastQueryDelay);
            x.AddConsumer<ReminderConsumer>();
        }, name, scheduler: true, output: output);
}
