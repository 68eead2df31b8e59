using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Replaces MassTransit's scoped bus context when the bus outbox is on. Inside a consumer the consumer's own context is
/// used (it has the consumer outbox, if any); outside one, sends and publishes go to the scope's DbContext.
/// </summary>
sealed class EntityFrameworkScopedBusContextProvider<TDbContext> :
    IScopedBusContextProvider<IBus>,
    IDisposable
    where TDbContext : DbContext
{
    public EntityFrameworkScopedBusContextProvider(IBus bus, TDbContext dbContext, OutboxDeliveryNotification<TDbContext> notification,
        Bind<IBus, IClientFactory> clientFactory, Bind<IBus, IScopedConsumeContextProvider> consumeContextProvider,
        IScopedConsumeContextProvider globalConsumeContextProvider, IServiceProvider provider)
    {
        if (consumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value);
        else
        {
            // A consume context of another bus in this scope still provides the conversation to continue.
            var consumeContext = globalConsumeContextProvider.HasContext ? globalConsumeContextProvider.GetContext() : null;
            Context = new EntityFrameworkScopedBusContext<TDbContext>(bus, dbContext, notification, clientFactory.Value, provider, consumeContext);
        }
    }

    public ScopedBusContext Context { get; }

    public void Dispose() => (Context as IDisposable)?.Dispose();
}

/// <summary>
/// The bus outbox of one DI scope: every send or publish adds an <see cref="OutboxMessage"/> row (and, once per batch,
/// an <see cref="OutboxState"/>) to the scope's DbContext, so they are saved by the application's own
/// <c>SaveChanges</c>, in its transaction, or not at all.
/// </summary>
sealed class EntityFrameworkScopedBusContext<TDbContext> :
    ScopedBusContext,
    IEntityFrameworkOutboxWriter,
    IDisposable
    where TDbContext : DbContext
{
    readonly IBus _bus;
    readonly IClientFactory _clientFactory;
    readonly ConsumeContext? _consumeContext;
    readonly TDbContext _dbContext;
    readonly Lock _lock = new();
    readonly OutboxDeliveryNotification<TDbContext> _notification;
    readonly IServiceProvider _provider;
    OutboxState? _batch;
    bool _notifyOnDispose;
    bool _pending;
    IPublishEndpoint? _publishEndpoint;
    IScopedClientFactory? _scopedClientFactory;
    ISendEndpointProvider? _sendEndpointProvider;
    bool _subscribed;

    public EntityFrameworkScopedBusContext(IBus bus, TDbContext dbContext, OutboxDeliveryNotification<TDbContext> notification,
        IClientFactory clientFactory, IServiceProvider provider, ConsumeContext? consumeContext)
    {
        _bus = bus;
        _dbContext = dbContext;
        _notification = notification;
        _clientFactory = clientFactory;
        _provider = provider;
        _consumeContext = consumeContext;
    }

    public DbContext DbContext => _dbContext;

    public ISendEndpointProvider SendEndpointProvider =>
        _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, _consumeContext is null
            ? _bus
            : new ScopedConsumeSendEndpointProvider(_bus, _consumeContext, _provider));

    public IPublishEndpoint PublishEndpoint =>
        _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, _consumeContext is null
            ? _bus
            : new ScopedConsumePublishEndpointProvider(_bus, _consumeContext, _provider)));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(_clientFactory, _provider)), _consumeContext);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var message = OutboxMessageFactory.Create(context);

        lock (_lock)
        {
            if (!message.EnqueueTime.HasValue)
            {
                // A batch that was saved already may be in delivery: messages sent after a SaveChanges start a new one, so
                // that a batch never grows under the delivery service.
                if (_batch is null || _dbContext.Entry(_batch).State != EntityState.Added)
                {
                    _batch = new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow };
                    _dbContext.Set<OutboxState>().Add(_batch);
                }

                message.OutboxId = _batch.OutboxId;
            }

            _dbContext.Set<OutboxMessage>().Add(message);
            _pending = true;

            if (!_subscribed)
            {
                _dbContext.SavedChanges += OnSavedChanges;
                _subscribed = true;
            }
        }

        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);

    public void Dispose()
    {
        if (_subscribed)
            _dbContext.SavedChanges -= OnSavedChanges;

        if (_notifyOnDispose)
            _notification.Notify();
    }

    void OnSavedChanges(object? sender, SavedChangesEventArgs e)
    {
        if (!_pending)
            return;
        _pending = false;

        // Saved outside a transaction means committed: deliver now. Inside the application's own transaction the rows
        // are not visible yet; the end of the scope (or the next poll) picks them up.
        if (_dbContext.Database.CurrentTransaction is null)
            _notification.Notify();
        else
            _notifyOnDispose = true;
    }
}
