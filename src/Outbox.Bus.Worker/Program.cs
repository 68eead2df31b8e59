using MassTransit;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.ServiceDefaults;

// One image for every role: `Roles=saga`, `Roles=sender,webhook`, … (configuration or --Roles=…).
// `migrate` applies the database migrations and exits: production's one-off step before the hosts start.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("outbox-bus-worker");

builder.Services
    .AddOutboxBusCore(builder.Configuration, builder.Environment.ContentRootPath)
    .AddOutboxBusDelivery(builder.Configuration)
    .AddOutboxBusWebhooks(builder.Configuration);

var migrateOnly = args.Contains("migrate", StringComparer.OrdinalIgnoreCase);
var roles = builder.Configuration.GetOutboxBusRoles();
if (!migrateOnly)
{
    builder.Services.AddMassTransit(x =>
    {
        x.AddOutboxBusPersistence(builder.Configuration);
        x.AddOutboxBusRoles(roles);
        x.UsingConfiguredTransport(builder.Configuration, (context, cfg) => cfg.UseOutboxBusPersistence(context));
    });
}

var app = builder.Build();

if (migrateOnly)
{
    await app.Services.MigrateOutboxBusDatabaseAsync();
    app.Logger.LogInformation("Database migrated");
    return;
}

app.MapDefaultEndpoints();
await app.Services.MigrateOnStartupAsync();
app.Logger.LogInformation("Worker started with roles {Roles}", roles);
await app.RunAsync();
