using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Apis;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Contracts;
using Scalar.AspNetCore;

namespace Outbox.Bus.Api;

public static class OutboxBusApi
{
    public const string AccountPolicy = "account";

    public static IServiceCollection AddOutboxBusApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        services.AddAuthentication(AccessTokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthentication>(AccessTokenAuthentication.SchemeName, null);
        services.AddClientSecretAuthentication();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccountPolicy, p => p.AddAuthenticationSchemes(AccessTokenAuthentication.SchemeName).RequireAuthenticatedUser());

        services.AddOpenApi();
        return services;
    }

    /// <summary>New jobs reach the saga through the bus outbox; updates and cancels ask it directly.</summary>
    public static IBusRegistrationConfigurator AddOutboxBusApiClients(this IBusRegistrationConfigurator bus)
    {
        bus.AddRequestClient<ScheduleSend>(OutboxBusEndpoints.SendJobState);
        return bus;
    }

    public static WebApplication MapOutboxBusApi(this WebApplication app)
    {
        app.UseMiddleware<NylasErrorMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapConnectApi();
        app.MapOutboxApi();
        app.MapOnboardApi();
        app.MapJobStatusApi();
        app.MapWebhooksApi();
        app.MapTrackingApi();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
            app.MapScalarApiReference();
        return app;
    }

    /// <summary>Says at start-up which applications can connect accounts, so a newcomer knows what to type.</summary>
    public static void LogApplications(this WebApplication app)
    {
        var applications = app.Services.GetRequiredService<IOptions<ApplicationOptions>>().Value.Items;
        if (applications.Count == 0)
        {
            app.Logger.LogWarning("No applications are configured (Applications:0:ClientId / ClientSecret): no account can connect");
            return;
        }
        foreach (var application in applications)
        {
            if (app.Environment.IsDevelopment())
                app.Logger.LogInformation(
                    "Development application: client_id={ClientId} client_secret={ClientSecret}. Connect an account with POST /connect/authorize (see README)",
                    application.ClientId, application.ClientSecret);
            else
                app.Logger.LogInformation("Application configured: client_id={ClientId}", application.ClientId);
        }
    }
}
