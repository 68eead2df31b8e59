using MassTransit;
using Outbox.Bus.Api;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Webhooks;
using Outbox.Bus.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("outbox-bus-api");

builder.Services
    .AddOutboxBusCore(builder.Configuration, builder.Environment.ContentRootPath)
    .AddOutboxBusDelivery(builder.Configuration)
    .AddOutboxBusWebhooks(builder.Configuration)
    .AddOutboxBusApi(builder.Configuration);

// The embedded default plays every role in this process; production sets Roles=none and runs workers.
var roles = builder.Configuration.GetOutboxBusRoles();
builder.Services.AddMassTransit(x =>
{
    x.AddOutboxBusPersistence(builder.Configuration);
    x.AddOutboxBusRoles(roles);
    x.AddOutboxBusApiClients();
    x.UsingConfiguredTransport(builder.Configuration, (context, cfg) => cfg.UseOutboxBusPersistence(context));
});

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOutboxBusApi();

await app.Services.MigrateOnStartupAsync();
app.LogApplications();
await app.RunAsync();

/// <summary>Visible to <c>WebApplicationFactory</c> in the API tests.</summary>
public partial class Program;
