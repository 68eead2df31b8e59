using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

public sealed class When_a_message_is_scheduled(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_deliver_it_at_the_due_time_and_not_before(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, busOutbox: false);
            x.AddConsumer<ReminderConsumer>();
        }, scheduler: true, output: output);
        var due = DateTime.UtcNow.AddSeconds(1.5);

        ScheduledMessage<Reminder> scheduled;
        await using (var scope = host.CreateScope())
            scheduled = await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().SchedulePublish(due, new Reminder(NewId.NextGuid()));

        // Without a bus outbox there is no SaveChanges to wait for: the row is durable as soon as ScheduleSend returned.
        Assert.Equal(1, await database.Count<OutboxMessage>(q => q.Where(m => m.TokenId == scheduled.TokenId)));
        await Eventually.Never(() => received.Of<Reminder>().Count > 0, due - DateTime.UtcNow - TimeSpan.FromMilliseconds(100), "the reminder before it was due");
        await Eventually.True(() => received.Of<Reminder>().Count == 1, "the reminder once due");

        var reminder = received.Of<Reminder>().Single();
        Assert.True(reminder.ReceivedAt >= due, $"received at {reminder.ReceivedAt:O}, due at {due:O}");
        Assert.Equal(scheduled.TokenId, reminder.SchedulingTokenId);
        await Eventually.True(async () => await database.Count<OutboxMessage>() == 0, "the delivered row to be removed");
        await Eventually.Never(() => received.Of<Reminder>().Count > 1, TimeSpan.FromMilliseconds(300), "a second delivery");
    }

    [Fact]
    public async Task Should_wait_for_SaveChanges_when_scheduled_through_the_bus_outbox()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<ReminderConsumer>();
        }, scheduler: true, output: output);

        await using var scope = host.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().SchedulePublish(DateTime.UtcNow.AddMilliseconds(200), new Reminder(NewId.NextGuid()));

        await Eventually.Never(() => received.Of<Reminder>().Count > 0, TimeSpan.FromMilliseconds(700), "a reminder scheduled by a scope that did not save");
        Assert.Equal(0, await database.Count<OutboxMessage>());

        await scope.ServiceProvider.GetRequiredService<TestDbContext>().SaveChangesAsync();

        await Eventually.True(() => received.Of<Reminder>().Count == 1, "the reminder (already due) after SaveChanges", TimeSpan.FromSeconds(5));
    }
}
