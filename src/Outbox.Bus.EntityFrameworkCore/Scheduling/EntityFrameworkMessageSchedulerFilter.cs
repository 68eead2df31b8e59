using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Puts the database scheduler on every consume context, where <c>context.ScheduleSend</c>, a state machine's
/// <c>Schedule</c>/<c>Unschedule</c> and scheduled redelivery look for it (the <see cref="MessageSchedulerContext"/>
/// payload). It replaces any scheduler set before it. MassTransit's outbox context re-binds this payload to itself, which
/// is how a schedule made inside an EF outbox ends up in that outbox's transaction.
/// </summary>
sealed class EntityFrameworkMessageSchedulerFilter(IEntityFrameworkMessageSchedulerFactory factory) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.AddOrUpdatePayload<MessageSchedulerContext>(
            () => new ConsumeMessageSchedulerContext(context, factory.Create),
            _ => new ConsumeMessageSchedulerContext(context, factory.Create));

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("entityFrameworkMessageScheduler");
}

sealed class EntityFrameworkMessageSchedulerSpecification(IEntityFrameworkMessageSchedulerFactory factory) : IPipeSpecification<ConsumeContext>
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new EntityFrameworkMessageSchedulerFilter(factory));

    public IEnumerable<ValidationResult> Validate() => [];
}
