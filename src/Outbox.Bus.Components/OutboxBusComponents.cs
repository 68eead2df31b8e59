using MassTransit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Consumers;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Components.Delivery.SendGrid;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tracking;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.EntityFrameworkCore;

namespace Outbox.Bus.Components;

/// <summary>The registrations every host (API, worker, tests) shares, so none of them wires the pieces differently.</summary>
public static class OutboxBusComponents
{
    /// <summary>Options, database and key ring. <paramref name="contentRoot"/> anchors the relative data directory.</summary>
    public static IServiceCollection AddOutboxBusCore(this IServiceCollection services, IConfiguration configuration,
        string contentRoot)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<SendJobOptions>().Bind(configuration.GetSection(SendJobOptions.Section))
            .PostConfigure(o => o.FallbackEnabled |= !string.IsNullOrWhiteSpace(configuration["SendGrid:ApiKey"]))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApplicationOptions>().Configure(o => configuration.GetSection(ApplicationOptions.Section).Bind(o.Items));
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section))
            .PostConfigure(o => o.DataDirectoryPath = Path.GetFullPath(o.DataDirectory, contentRoot));

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var dataDirectory = Path.GetFullPath(storage.DataDirectory, contentRoot);
        Directory.CreateDirectory(dataDirectory);

        var connectionString = configuration.GetConnectionString("OutboxBus");
        switch (storage.Provider)
        {
            case DatabaseProvider.PostgreSql:
                services.AddOutboxBusDbContext<PostgresOutboxBusDbContext>(o => o.UseNpgsql(WithPostgresDefaults(Required(connectionString))));
                break;
            case DatabaseProvider.SqlServer:
                services.AddOutboxBusDbContext<SqlServerOutboxBusDbContext>(o => o.UseSqlServer(Required(connectionString)));
                break;
            default:
                services.AddOutboxBusDbContext<SqliteOutboxBusDbContext>(o =>
                    o.UseSqlite(connectionString ?? $"Data Source={Path.Combine(dataDirectory, "outbox-bus.db")}"));
                break;
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);

        // Passwords encrypted by the API must be readable by every sender: one key ring, kept with the data.
        services.AddDataProtection()
            .SetApplicationName("Outbox.Bus")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));

        // Senders sign tracking URLs and the API verifies them: both need the options and the shared key.
        services.AddOutboxBusTracking(configuration);

        return services;
    }

    static void AddOutboxBusDbContext<TContext>(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : OutboxBusDbContext
    {
        services.AddDbContext<TContext>(configure);
        services.AddScoped<OutboxBusDbContext>(sp => sp.GetRequiredService<TContext>());
    }

    /// <summary>
    /// Two Npgsql settings the service depends on for speed, unless the connection string sets them. The service keeps no
    /// session state on a connection (no temporary tables, SET or advisory locks), so a connection returned to the pool
    /// need not be reset: the <c>DISCARD ALL</c> otherwise sent each time was half the commits per job. Auto-preparing the
    /// hot statements saves parsing and planning them on every round trip.
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
            builder.NoResetOnClose = true;
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
            builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    static string Required(string? connectionString) =>
        connectionString ?? throw new InvalidOperationException("ConnectionStrings:OutboxBus is required for this Storage:Provider");

    public static IServiceCollection AddOutboxBusDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        services.AddOptions<PickupOptions>().Bind(configuration.GetSection(PickupOptions.Section));
        services.TryAddSingleton<SmtpConnectionPool>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMailTransport, SmtpMailTransport>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMailTransport, PickupMailTransport>());
        services.AddSendGridFallback(configuration);
        return services;
    }

    /// <summary>The send-job saga: the only writer of job state.</summary>
    /// <param name="repository">Another repository than the application database (specs use the in-memory one).</param>
    public static IBusRegistrationConfigurator AddSendJobSaga(this IBusRegistrationConfigurator bus,
        Action<ISagaRegistrationConfigurator<SendJobState>>? repository = null)
    {
        var saga = bus.AddSagaStateMachine<SendJobStateMachine, SendJobState, SendJobStateDefinition>();
        if (repository is not null)
            repository(saga);
        else
            saga.EntityFrameworkRepository(r =>
            {
                r.ConcurrencyMode = ConcurrencyMode.Optimistic;
                r.ExistingDbContext<OutboxBusDbContext>();
            });
        return bus;
    }

    /// <summary>The sender role: one delivery attempt per <c>DeliverMessage</c> (the account's provider) or
    /// <c>DeliverViaFallback</c> (SendGrid).</summary>
    public static IBusRegistrationConfigurator AddSenderConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DeliverMessageConsumer, DeliverMessageConsumerDefinition>();
        bus.AddConsumer<DeliverViaFallbackConsumer, DeliverViaFallbackConsumerDefinition>();
        return bus;
    }

    /// <summary>The consumers and sagas of the roles this process plays.</summary>
    public static IBusRegistrationConfigurator AddOutboxBusRoles(this IBusRegistrationConfigurator bus, OutboxBusRoles roles)
    {
        if (roles.HasFlag(OutboxBusRoles.Saga))
            bus.AddSendJobSaga();
        if (roles.HasFlag(OutboxBusRoles.Sender))
            bus.AddSenderConsumers();
        if (roles.HasFlag(OutboxBusRoles.Webhook))
            bus.AddWebhookConsumers().AddTrackingConsumers();
        return bus;
    }

    /// <summary>Applies pending migrations: the schema always comes from migrations, never from the model directly.</summary>
    public static async Task MigrateOutboxBusDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        // EF Core takes a database-wide lock while migrating, so scaled processes starting together do not collide.
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
