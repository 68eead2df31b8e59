using MassTransit;
using Microsoft.Extensions.Configuration;
using Outbox.Bus.Components.Consumers;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.EntityFrameworkCore;

namespace Outbox.Bus.Components;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often the delivery loop looks for due rows when nothing told it to look sooner.</summary>
    public TimeSpan QueryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A redelivered message within this window is recognised and not processed again.</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);
}

public static class OutboxBusPersistence
{
    /// <summary>
    /// The database is the bus's memory: every endpoint's state changes, inbox mark and outgoing messages commit in one
    /// transaction; what the API sends waits in the outbox until its own SaveChanges; scheduled messages (send_at,
    /// retries) are rows delivered when due, on any transport, and survive restarts.
    /// </summary>
    public static IBusRegistrationConfigurator AddOutboxBusPersistence(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var outbox = configuration.GetSection(OutboxOptions.Section).Get<OutboxOptions>() ?? new OutboxOptions();

        bus.AddEntityFrameworkOutbox<OutboxBusDbContext>(o =>
        {
            _ = storage.Provider switch
            {
                DatabaseProvider.PostgreSql => o.UsePostgres(),
                DatabaseProvider.SqlServer => o.UseSqlServer(),
                _ => o.UseSqlite(),
            };
            o.QueryDelay = outbox.QueryDelay;
            o.DuplicateDetectionWindow = outbox.DuplicateDetectionWindow;
            o.UseBusOutbox();
        });
        bus.AddEntityFrameworkMessageScheduler<OutboxBusDbContext>();
        bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
        {
            if (NetworkEndpoints.Contains(name))
                endpoint.UseInMemoryOutbox(context);
            else
                endpoint.UseEntityFrameworkOutbox<OutboxBusDbContext>(context);
        });
        return bus;
    }

    /// <summary>
    /// Endpoints whose consumers wait on the network (SMTP, SendGrid, a subscriber's URL). They must not hold a database
    /// transaction across that wait: on SQLite it is the one write lock, elsewhere a connection and locks held for
    /// seconds. Their database writes are single statements; their reports still leave only once the attempt is over,
    /// through the in-memory outbox. The saga's inbox and the stale-attempt check make a redelivered report harmless.
    /// </summary>
    static readonly HashSet<string> NetworkEndpoints =
    [
        KebabCaseEndpointNameFormatter.Instance.Consumer<DeliverMessageConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<DeliverViaFallbackConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<DeliverWebhookConsumer>(),
    ];

    /// <summary>The bus side of <see cref="AddOutboxBusPersistence"/>: consumers and sagas schedule through the database.</summary>
    public static void UseOutboxBusPersistence(this IBusFactoryConfigurator bus, IBusRegistrationContext context) =>
        bus.UseEntityFrameworkMessageScheduler(context);
}
