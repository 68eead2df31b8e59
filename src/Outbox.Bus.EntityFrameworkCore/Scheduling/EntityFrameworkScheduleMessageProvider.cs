using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// MassTransit's <see cref="IScheduleMessageProvider"/> on the database: scheduling a message writes it as an
/// <see cref="OutboxMessage"/> row with its due time and token, and the delivery service sends it when due; cancelling
/// deletes the row by token. Where the row is written depends on where the scheduler is used:
/// <list type="bullet">
/// <item>in a consumer or saga that uses the EF outbox: into its DbContext, committed with its state and inbox mark;</item>
/// <item>in a DI scope outside a consumer, with the bus outbox on: into the scope's DbContext, saved by its SaveChanges;</item>
/// <item>anywhere else: into a DbContext of its own, saved at once.</item>
/// </list>
/// </summary>
sealed class EntityFrameworkScheduleMessageProvider<TDbContext>(
    EntityFrameworkMessageSchedulerFactory<TDbContext> factory,
    ConsumeContext? consumeContext,
    IServiceProvider? scopeProvider) :
    IScheduleMessageProvider
    where TDbContext : DbContext
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        if (!MessageTypeCache<T>.IsValidMessageType)
            throw new ArgumentException(MessageTypeCache<T>.InvalidMessageTypeReason, nameof(T));

        // A token defined by the message type (ScheduleTokenId) must identify one schedule: scheduling it again replaces it.
        var messageTokenId = ScheduleTokenIdCache<T>.GetTokenId(message, Guid.Empty);
        var tokenId = messageTokenId == Guid.Empty ? NewId.NextGuid() : messageTokenId;
        var schedule = new ScheduledSend(OutboxMessageFactory.AsUtc(scheduledTime)!.Value, tokenId);

        await using var target = Open();

        if (messageTokenId != Guid.Empty)
            await OutboxMessageFactory.CancelScheduled(target.Writer.DbContext, tokenId, cancellationToken);

        // The endpoint only builds the send context (serializer, headers, addresses, the caller's pipe); the outbox send
        // endpoint hands that context to the writer instead of the transport.
        var transportEndpoint = await target.SendEndpointProvider.GetSendEndpoint(destinationAddress);
        ISendEndpoint endpoint = new OutboxSendEndpoint(target.Writer, transportEndpoint);
        if (target.ConsumeContext is not null)
            endpoint = new ConsumeSendEndpoint(endpoint, target.ConsumeContext); // carries the conversation on

        await endpoint.Send(message, new ScheduledSendPipe<T>(pipe, schedule), cancellationToken);

        await target.Complete(cancellationToken);

        return new ScheduledMessageHandle<T>(tokenId, scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    // Tokens are unique across destinations, so the destination is not needed to find the row.
    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var target = Open();
        await OutboxMessageFactory.CancelScheduled(target.Writer.DbContext, tokenId, cancellationToken);
        await target.Complete(cancellationToken);
    }

    Target Open()
    {
        var context = consumeContext ?? CurrentConsumeContext();

        if (context is not null)
        {
            if (context.TryGetPayload(out IEntityFrameworkOutboxWriter? outbox) && outbox.DbContext is TDbContext)
                return new Target(outbox, context.ReceiveContext.SendEndpointProvider, context, null);

            return Standalone(context.ReceiveContext.SendEndpointProvider, context);
        }

        if (scopeProvider?.GetService<IScopedBusContextProvider<IBus>>()?.Context is EntityFrameworkScopedBusContext<TDbContext> busOutbox)
            return new Target(busOutbox, factory.Bus, null, null);

        return Standalone(factory.Bus, null);
    }

    Target Standalone(ISendEndpointProvider sendEndpointProvider, ConsumeContext? context)
    {
        var scope = factory.ScopeFactory.CreateAsyncScope();
        var writer = new StandaloneWriter(scope.ServiceProvider.GetRequiredService<TDbContext>(), scope.ServiceProvider);
        return new Target(writer, sendEndpointProvider, context, new Ownership(scope, factory.Notification));
    }

    ConsumeContext? CurrentConsumeContext()
    {
        var provider = scopeProvider?.GetService<IScopedConsumeContextProvider>();
        return provider is { HasContext: true } ? provider.GetContext() : null;
    }

    sealed record Ownership(AsyncServiceScope Scope, OutboxDeliveryNotification<TDbContext> Notification);

    sealed class Target(IEntityFrameworkOutboxWriter writer, ISendEndpointProvider sendEndpointProvider, ConsumeContext? consumeContext,
        Ownership? ownership) : IAsyncDisposable
    {
        public IEntityFrameworkOutboxWriter Writer { get; } = writer;
        public ISendEndpointProvider SendEndpointProvider { get; } = sendEndpointProvider;
        public ConsumeContext? ConsumeContext { get; } = consumeContext;

        /// <summary>Saves a private DbContext at once; a shared one is saved by its owner (the outbox or the application).</summary>
        public async Task Complete(CancellationToken cancellationToken)
        {
            if (ownership is null)
                return;

            await Writer.DbContext.SaveChangesAsync(cancellationToken);
            ownership.Notification.Notify();
        }

        public ValueTask DisposeAsync() => ownership?.Scope.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>A DbContext of the scheduler's own, for schedules made where no outbox DbContext is in play.</summary>
    sealed class StandaloneWriter(TDbContext dbContext, IServiceProvider provider) : IEntityFrameworkOutboxWriter
    {
        public DbContext DbContext => dbContext;

        public Task AddSend<T>(SendContext<T> context)
            where T : class
        {
            dbContext.Set<OutboxMessage>().Add(OutboxMessageFactory.Create(context));
            return Task.CompletedTask;
        }

        public object? GetService(Type serviceType) => provider.GetService(serviceType);
    }
}
