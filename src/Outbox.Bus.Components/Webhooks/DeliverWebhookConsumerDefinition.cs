using MassTransit;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>The <c>deliver-webhook</c> queue: one HTTP POST per message.</summary>
public sealed class DeliverWebhookConsumerDefinition : ConsumerDefinition<DeliverWebhookConsumer>
{
    public DeliverWebhookConsumerDefinition()
    {
        // Mostly waiting on receivers, some of them slow: many at once, so one slow receiver does not hold up the rest.
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeliverWebhookConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // A receiver's failure is recorded and rescheduled, never thrown; what is retried here is our own
        // infrastructure (the database, the bus). The host's outbox commits the scheduled retry with the attempt's log row.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
