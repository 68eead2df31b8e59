using MassTransit;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

/// <summary>Inside a consumer on the EF outbox, the scheduled row is part of the consumer's transaction.</summary>
public sealed class When_a_consumer_schedules_a_message(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_deliver_it_when_due(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await StartAsync(database, received);
        var due = DateTime.UtcNow.AddMilliseconds(800);
        var reminderId = NewId.NextGuid();

        await host.Publish(new ScheduleReminder(reminderId, due));

        await Eventually.True(() => received.Of<Reminder>().Count == 1, "the reminder");
        var reminder = received.Of<Reminder>().Single();
        Assert.Equal(reminderId, ((Reminder)reminder.Message).ReminderId);
        Assert.True(reminder.ReceivedAt >= due, $"received at {reminder.ReceivedAt:O}, due at {due:O}");
        Assert.NotNull(reminder.SchedulingTokenId);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_not_schedule_it_when_the_consumer_fails(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await StartAsync(database, received);

        await host.Publish(new ScheduleReminder(NewId.NextGuid(), DateTime.UtcNow.AddMilliseconds(200), FailAfterScheduling: true));

        await Eventually.True(() => received.Of<ScheduleReminder>().Count == 1, "the consumer to run");
        await Eventually.Never(() => received.Of<Reminder>().Count > 0, TimeSpan.FromSeconds(1), "a reminder scheduled by a consumer that failed");
        Assert.Equal(0, await database.Count<OutboxMessage>());
    }

    Task<TestHost> StartAsync(TestDatabase database, Received received) =>
        TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database);
            x.AddConsumer<ScheduleReminderConsumer>();
            x.AddConsumer<ReminderConsumer>();
        }, scheduler: true, output: output);
}
