using MassTransit;
using Outbox.Bus.Components.Consumers;
using Outbox.Bus.Components.StateMachines;

namespace Outbox.Bus.Components;

/// <summary>
/// Where commands go. A command is sent to its queue, never published: a published message with no queue bound yet
/// (no worker of that role has ever started on a fresh broker) is dropped, and an accepted job with it. Sending to a
/// queue address declares the queue, which then holds the command until a worker takes it.
/// </summary>
public static class OutboxBusEndpoints
{
    public static Uri SendJobState { get; } = Queue(KebabCaseEndpointNameFormatter.Instance.Saga<SendJobState>());

    public static Uri DeliverMessage { get; } = Queue(KebabCaseEndpointNameFormatter.Instance.Consumer<DeliverMessageConsumer>());

    public static Uri DeliverViaFallback { get; } = Queue(KebabCaseEndpointNameFormatter.Instance.Consumer<DeliverViaFallbackConsumer>());

    static Uri Queue(string name) => new($"queue:{name}");
}
