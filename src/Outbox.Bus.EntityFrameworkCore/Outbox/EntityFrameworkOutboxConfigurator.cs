using System.Data;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Outbox.Bus.EntityFrameworkCore;

sealed class EntityFrameworkOutboxConfigurator<TDbContext>(IBusRegistrationConfigurator configurator) :
    IEntityFrameworkOutboxConfigurator,
    IEntityFrameworkBusOutboxConfigurator
    where TDbContext : DbContext
{
    // Collected first and copied into the options afterwards, so that the order of the calls inside the callback
    // does not matter.
    readonly EntityFrameworkOutboxOptions<TDbContext> _values = new();
    bool _busOutbox;

    public TimeSpan DuplicateDetectionWindow { set => _values.DuplicateDetectionWindow = Positive(value, nameof(DuplicateDetectionWindow)); }
    public IsolationLevel IsolationLevel { set => _values.IsolationLevel = value; }
    public OutboxLockStatementProvider LockStatementProvider { set => _values.LockStatementProvider = value ?? throw new ArgumentNullException(nameof(value)); }
    public TimeSpan QueryDelay { set => _values.QueryDelay = Positive(value, nameof(QueryDelay)); }
    public int QueryMessageLimit { set => _values.QueryMessageLimit = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(QueryMessageLimit)); }
    public TimeSpan QueryTimeout { set => _values.QueryTimeout = Positive(value, nameof(QueryTimeout)); }
    public int MessageDeliveryLimit { set => _values.MessageDeliveryLimit = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MessageDeliveryLimit)); }
    public TimeSpan MessageDeliveryTimeout { set => _values.MessageDeliveryTimeout = Positive(value, nameof(MessageDeliveryTimeout)); }

    public void DisableInboxCleanupService() => _values.InboxCleanupServiceEnabled = false;
    public void DisableDeliveryService() => _values.DeliveryServiceEnabled = false;

    public void UseBusOutbox(Action<IEntityFrameworkBusOutboxConfigurator>? configure = null)
    {
        _busOutbox = true;
        configure?.Invoke(this);
    }

    public void Configure(Action<IEntityFrameworkOutboxConfigurator>? configure)
    {
        configure?.Invoke(this);

        configurator.AddEntityFrameworkOutboxInfrastructure<TDbContext>();
        configurator.AddOptions<EntityFrameworkOutboxOptions<TDbContext>>().Configure(options =>
        {
            options.LockStatementProvider = _values.LockStatementProvider;
            options.IsolationLevel = _values.IsolationLevel;
            options.DuplicateDetectionWindow = _values.DuplicateDetectionWindow;
            options.QueryDelay = _values.QueryDelay;
            options.QueryMessageLimit = _values.QueryMessageLimit;
            options.QueryTimeout = _values.QueryTimeout;
            options.MessageDeliveryLimit = _values.MessageDeliveryLimit;
            options.MessageDeliveryTimeout = _values.MessageDeliveryTimeout;
            options.DeliveryServiceEnabled = _values.DeliveryServiceEnabled;
            options.InboxCleanupServiceEnabled = _values.InboxCleanupServiceEnabled;
        });

        // Resolved by MassTransit's OutboxConsumeFilter from the consume scope, so it shares the scope's DbContext with the
        // consumer or saga repository.
        configurator.TryAddScoped<IOutboxContextFactory<TDbContext>, EntityFrameworkOutboxContextFactory<TDbContext>>();
        configurator.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InboxCleanupService<TDbContext>>());

        if (_busOutbox)
            configurator.ReplaceScoped<IScopedBusContextProvider<IBus>, EntityFrameworkScopedBusContextProvider<TDbContext>>();
    }

    static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
}

static class EntityFrameworkOutboxInfrastructureExtensions
{
    /// <summary>What the outbox and the scheduler both need; safe to call more than once.</summary>
    public static void AddEntityFrameworkOutboxInfrastructure<TDbContext>(this IServiceCollection services)
        where TDbContext : DbContext
    {
        services.AddOptions<EntityFrameworkOutboxOptions<TDbContext>>();
        services.TryAddSingleton<OutboxDeliveryNotification<TDbContext>>();
        services.TryAddSingleton<EntityFrameworkOutboxSql<TDbContext>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxDeliveryService<TDbContext>>());
    }
}
