using MassTransit;

namespace Outbox.Bus.Components.Consumers;

public sealed class DeliverMessageConsumerDefinition : ConsumerDefinition<DeliverMessageConsumer>
{
    public DeliverMessageConsumerDefinition()
    {
        // Delivery is I/O bound and the pool reuses connections per account, so run many attempts at once.
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeliverMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Failures to deliver are reported as events, not thrown; what is retried here is our own infrastructure
        // (the database, the bus), where a short retry is the right answer.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
