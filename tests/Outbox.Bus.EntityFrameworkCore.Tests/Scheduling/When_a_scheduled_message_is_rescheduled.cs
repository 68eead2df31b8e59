using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

public sealed class When_a_scheduled_message_is_rescheduled(ITestOutputHelper output)
{
    /// <summary>Rescheduling as a state machine does it: schedule the new message, cancel the previous token.</summary>
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_deliver_only_the_new_one(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, busOutbox: false);
            x.AddConsumer<ReminderConsumer>();
        }, scheduler: true, output: output);
        var first = new Reminder(NewId.NextGuid());
        var second = new Reminder(NewId.NextGuid());
        var secondDue = DateTime.UtcNow.AddSeconds(2);

        ScheduledMessage<Reminder> scheduled;
        await using (var scope = host.CreateScope())
            scheduled = await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().SchedulePublish(DateTime.UtcNow.AddSeconds(1.5), first);
        await using (var scope = host.CreateScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            await scheduler.SchedulePublish(secondDue, second);
            await scheduler.CancelScheduledPublish<Reminder>(scheduled.TokenId);
        }

        await Eventually.True(() => received.Of<Reminder>(r => r == second).Count == 1, "the rescheduled reminder");
        await Eventually.Never(() => received.Of<Reminder>().Count > 1, TimeSpan.FromMilliseconds(500), "the replaced reminder, or a second delivery");
        Assert.True(received.Of<Reminder>().Single().ReceivedAt >= secondDue);
        Assert.Equal(0, await database.Count<OutboxMessage>());
    }
}
