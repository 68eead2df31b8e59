using MassTransit;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>The <c>notify-webhook</c> queue: status changes in, one <c>DeliverWebhook</c> per subscription out.</summary>
public sealed class NotifyWebhookConsumerDefinition : ConsumerDefinition<NotifyWebhookConsumer>
{
    public NotifyWebhookConsumerDefinition()
    {
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<NotifyWebhookConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Only our own infrastructure (the database) fails here. The host's outbox releases the notifications only once
        // the fan-out is done, so a retried consume never sends them twice.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
