using MassTransit;
using Outbox.Bus.Api;
using Outbox.Bus.Components;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddOutboxBusCore(builder.Configuration, builder.Environment.ContentRootPath)
    .AddOutboxBusDelivery(builder.Configuration)
    .AddOutboxBusApi(builder.Configuration);

// The embedded default: every role in this process, on the in-memory transport.
builder.Services.AddMassTransit(x =>
{
    x.SetKebabCaseEndpointNameFormatter();
    x.AddDelayedMessageScheduler();
    x.AddSendJobSaga();
    x.AddSenderConsumers();
    x.AddOutboxBusApiClients();
    x.UsingInMemory((context, cfg) =>
    {
        cfg.UseDelayedMessageScheduler();
        cfg.ConfigureEndpoints(context);
    });
});

var app = builder.Build();
app.MapOutboxBusApi();

await app.Services.MigrateOutboxBusDatabaseAsync();
app.LogApplications();
await app.RunAsync();

/// <summary>Visible to <c>WebApplicationFactory</c> in the API tests.</summary>
public partial class Program;
