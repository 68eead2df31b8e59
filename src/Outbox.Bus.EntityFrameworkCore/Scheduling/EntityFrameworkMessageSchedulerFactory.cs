using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>Creates the database scheduler for a consume context (the consume pipe's scheduler) or a DI scope (IMessageScheduler).</summary>
interface IEntityFrameworkMessageSchedulerFactory
{
    IMessageScheduler Create(ConsumeContext context);
}

sealed class EntityFrameworkMessageSchedulerFactory<TDbContext>(
    IServiceProvider provider,
    IServiceScopeFactory scopeFactory,
    OutboxDeliveryNotification<TDbContext> notification) :
    IEntityFrameworkMessageSchedulerFactory
    where TDbContext : DbContext
{
    // Resolved on first use: the factory itself is resolved while the bus is being configured, before IBus exists.
    public IBus Bus => field ??= provider.GetRequiredService<IBus>();
    public IServiceScopeFactory ScopeFactory => scopeFactory;
    public OutboxDeliveryNotification<TDbContext> Notification => notification;

    public IMessageScheduler Create(ConsumeContext context) =>
        new MessageScheduler(new EntityFrameworkScheduleMessageProvider<TDbContext>(this, context, null), context.GetPayload<IBusTopology>());

    public IMessageScheduler Create(IServiceProvider scopeProvider) =>
        new MessageScheduler(new EntityFrameworkScheduleMessageProvider<TDbContext>(this, null, scopeProvider), Bus.Topology);
}
