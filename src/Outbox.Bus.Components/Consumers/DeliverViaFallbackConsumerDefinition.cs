using MassTransit;

namespace Outbox.Bus.Components.Consumers;

public sealed class DeliverViaFallbackConsumerDefinition : ConsumerDefinition<DeliverViaFallbackConsumer>
{
    public DeliverViaFallbackConsumerDefinition()
    {
        // One HTTP request per attempt over pooled connections: many can run at once.
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeliverViaFallbackConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Failures to deliver are reported as events, not thrown; what is retried here is our own infrastructure
        // (the database, the bus), where a short retry is the right answer. The host's outbox releases a report only
        // once the attempt is over, so a retried consume never publishes two outcomes for one attempt.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
