using MassTransit;

namespace Outbox.Bus.Components.Tracking;

/// <summary>The <c>track-thread-replies</c> queue: a copy of every <c>MessageSent</c>, beside the saga's.</summary>
public sealed class TrackThreadRepliesConsumerDefinition : ConsumerDefinition<TrackThreadRepliesConsumer>
{
    public TrackThreadRepliesConsumerDefinition()
    {
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TrackThreadRepliesConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
