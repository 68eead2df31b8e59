using MassTransit;

namespace Outbox.Bus.Components.StateMachines;

public sealed class SendJobStateDefinition : SagaDefinition<SendJobState>
{
    public SendJobStateDefinition()
    {
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<SendJobState> sagaConfigurator, IRegistrationContext context)
    {
        // Two events for one job racing to save: the loser is retried against the winner's state.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(20, 50, 100, 250, 500, 1000, 2000));
    }
}
