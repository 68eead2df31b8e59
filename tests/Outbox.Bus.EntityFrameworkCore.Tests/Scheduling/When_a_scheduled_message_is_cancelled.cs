using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Scheduling;

public sealed class When_a_scheduled_message_is_cancelled(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Should_never_deliver_it(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var received = new Received();
        await using var host = await TestHost.StartAsync(database, received, x =>
        {
            TestHost.AddOutbox(x, database, busOutbox: false);
            x.AddConsumer<ReminderConsumer>();
        }, scheduler: true, output: output);
        var due = DateTime.UtcNow.AddSeconds(1);

        ScheduledMessage<Reminder> scheduled;
        await using (var scope = host.CreateScope())
            scheduled = await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().SchedulePublish(due, new Reminder(NewId.NextGuid()));
        await using (var scope = host.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().CancelScheduledPublish<Reminder>(scheduled.TokenId);

        Assert.Equal(0, await database.Count<OutboxMessage>());
        await Eventually.Never(() => received.Of<Reminder>().Count > 0, due - DateTime.UtcNow + TimeSpan.FromMilliseconds(700), "a cancelled reminder");
    }
}
