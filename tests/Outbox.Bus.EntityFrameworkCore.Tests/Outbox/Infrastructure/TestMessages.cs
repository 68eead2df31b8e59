using System.Collections.Concurrent;
using MassTransit;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

public record CreateWidget(Guid WidgetId, string Name, bool FailAfterPublishing = false);

public record WidgetCreated(Guid WidgetId);

public record Numbered(Guid BatchId, int Sequence);

public record Reminder(Guid ReminderId);

public record ScheduleReminder(Guid ReminderId, DateTime DueAt, bool FailAfterScheduling = false);

/// <summary>Which test host (process) a message was consumed in.</summary>
public sealed record HostName(string Value);

public sealed record ReceivedMessage(string Host, Guid? MessageId, object Message, DateTime ReceivedAt, Guid? SchedulingTokenId);

/// <summary>Everything the test consumers saw, across all hosts of one test.</summary>
public sealed class Received
{
    readonly ConcurrentQueue<ReceivedMessage> _messages = new();

    public void Add<T>(ConsumeContext<T> context, HostName host)
        where T : class =>
        _messages.Enqueue(new ReceivedMessage(host.Value, context.MessageId, context.Message, DateTime.UtcNow, context.GetSchedulingTokenId()));

    public IReadOnlyList<ReceivedMessage> All => _messages.ToArray();

    public IReadOnlyList<ReceivedMessage> Of<T>() => _messages.Where(m => m.Message is T).ToArray();

    public IReadOnlyList<ReceivedMessage> Of<T>(Func<T, bool> predicate) => _messages.Where(m => m.Message is T t && predicate(t)).ToArray();
}

/// <summary>Does what a real consumer does: changes its DbContext, saves, publishes; optionally fails afterwards.</summary>
public sealed class CreateWidgetConsumer(TestDbContext dbContext, Received received, HostName host) : IConsumer<CreateWidget>
{
    public async Task Consume(ConsumeContext<CreateWidget> context)
    {
        received.Add(context, host);

        dbContext.Widgets.Add(new Widget { Id = context.Message.WidgetId, Name = context.Message.Name });
        await dbContext.SaveChangesAsync(context.CancellationToken);

        await context.Publish(new WidgetCreated(context.Message.WidgetId));

        if (context.Message.FailAfterPublishing)
            throw new InvalidOperationException("Failing after publishing, on purpose.");
    }
}

public sealed class WidgetCreatedConsumer(Received received, HostName host) : IConsumer<WidgetCreated>
{
    public Task Consume(ConsumeContext<WidgetCreated> context)
    {
        received.Add(context, host);
        return Task.CompletedTask;
    }
}

public sealed class NumberedConsumer(Received received, HostName host) : IConsumer<Numbered>
{
    public Task Consume(ConsumeContext<Numbered> context)
    {
        received.Add(context, host);
        return Task.CompletedTask;
    }
}

/// <summary>One message at a time, so the order of receipt is the order of delivery.</summary>
public sealed class NumberedConsumerDefinition : ConsumerDefinition<NumberedConsumer>
{
    public NumberedConsumerDefinition() => ConcurrentMessageLimit = 1;
}

public sealed class ReminderConsumer(Received received, HostName host) : IConsumer<Reminder>
{
    public Task Consume(ConsumeContext<Reminder> context)
    {
        received.Add(context, host);
        return Task.CompletedTask;
    }
}

/// <summary>Schedules through the consume context, as a consumer or saga does; optionally fails afterwards.</summary>
public sealed class ScheduleReminderConsumer(Received received, HostName host) : IConsumer<ScheduleReminder>
{
    public async Task Consume(ConsumeContext<ScheduleReminder> context)
    {
        received.Add(context, host);

        await context.SchedulePublish(context.Message.DueAt, new Reminder(context.Message.ReminderId));

        if (context.Message.FailAfterScheduling)
            throw new InvalidOperationException("Failing after scheduling, on purpose.");
    }
}
