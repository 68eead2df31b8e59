using MassTransit;

namespace Outbox.Bus.Components.Tracking;

/// <summary>The <c>notify-tracking-webhook</c> queue: opens, clicks and replies in, one <c>DeliverWebhook</c> per
/// subscription out.</summary>
public sealed class NotifyTrackingWebhookConsumerDefinition : ConsumerDefinition<NotifyTrackingWebhookConsumer>
{
    public NotifyTrackingWebhookConsumerDefinition()
    {
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<NotifyTrackingWebhookConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Only our own database fails here; the host's outbox releases the notifications once the fan-out is done.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
