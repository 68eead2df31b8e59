using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Registration of the database message scheduler, shaped like MassTransit's transport schedulers
/// (<c>x.AddDelayedMessageScheduler()</c> + <c>cfg.UseDelayedMessageScheduler()</c>, <c>x.AddSqlMessageScheduler()</c> +
/// <c>cfg.UseSqlMessageScheduler()</c>): scheduled messages are rows of <typeparamref name="TDbContext"/>'s outbox table,
/// sent by the delivery service when due, on any transport.
/// </summary>
public static class EntityFrameworkMessageSchedulerConfigurationExtensions
{
    /// <summary>
    /// Adds the database scheduler for <typeparamref name="TDbContext"/>: a scoped <see cref="IMessageScheduler"/> and the
    /// delivery service. Add <see cref="UseEntityFrameworkMessageScheduler"/> to the bus so consumers and sagas get it too.
    /// The outbox settings (database, intervals) are those of <c>AddEntityFrameworkOutbox&lt;TDbContext&gt;</c> if it is
    /// also added; otherwise the defaults, with the database detected from the DbContext's provider.
    /// </summary>
    public static void AddEntityFrameworkMessageScheduler<TDbContext>(this IBusRegistrationConfigurator configurator)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);

        configurator.AddEntityFrameworkOutboxInfrastructure<TDbContext>();
        configurator.TryAddSingleton<EntityFrameworkMessageSchedulerFactory<TDbContext>>();
        configurator.TryAddSingleton<IEntityFrameworkMessageSchedulerFactory>(provider =>
            provider.GetRequiredService<EntityFrameworkMessageSchedulerFactory<TDbContext>>());
        configurator.TryAddScoped<IMessageScheduler>(provider =>
            provider.GetRequiredService<EntityFrameworkMessageSchedulerFactory<TDbContext>>().Create(provider));
    }

    /// <summary>
    /// Makes the database scheduler the scheduler of every consume context on this bus: <c>context.ScheduleSend</c>,
    /// <c>context.CancelScheduledSend</c> and a state machine's <c>Schedule</c>/<c>Unschedule</c> use it. Needs
    /// <see cref="AddEntityFrameworkMessageScheduler{TDbContext}"/>.
    /// </summary>
    public static void UseEntityFrameworkMessageScheduler(this IBusFactoryConfigurator configurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);

        var factory = context.GetService<IEntityFrameworkMessageSchedulerFactory>()
            ?? throw new ConfigurationException("UseEntityFrameworkMessageScheduler needs x.AddEntityFrameworkMessageScheduler<TDbContext>() in AddMassTransit.");

        configurator.AddPrePipeSpecification(new EntityFrameworkMessageSchedulerSpecification(factory));
    }
}
