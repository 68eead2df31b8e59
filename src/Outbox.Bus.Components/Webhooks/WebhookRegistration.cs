using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Webhooks;

public static class WebhookRegistration
{
    /// <summary>
    /// Options (section <c>Webhooks</c>), the address guard and the guarded HttpClient, and the endpoint challenge. Every
    /// host that creates subscriptions (the API) or delivers notifications (the webhook role) needs them.
    /// </summary>
    public static IServiceCollection AddOutboxBusWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>());

        services.TryAddSingleton<HostResolver>();
        services.TryAddSingleton<CallbackAddressGuard>();
        services.AddHttpClient(WebhookHttp.ClientName)
            // The consumer and the challenge enforce the timeout themselves, with a message that says so.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => WebhookHttp.CreateHandler(
                provider.GetRequiredService<CallbackAddressGuard>(), provider.GetRequiredService<IOptions<WebhookOptions>>().Value));
        services.TryAddScoped<WebhookChallenge>();
        return services;
    }

    /// <summary>The webhook role: <c>notify-webhook</c> (status changes to notifications) and <c>deliver-webhook</c> (one
    /// POST each). The bus must have a message scheduler: failed deliveries are retried as scheduled messages.</summary>
    public static IBusRegistrationConfigurator AddWebhookConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NotifyWebhookConsumer, NotifyWebhookConsumerDefinition>();
        bus.AddConsumer<DeliverWebhookConsumer, DeliverWebhookConsumerDefinition>();
        bus.AddHostedService<WebhookDeliveryLogCleanup>();
        return bus;
    }

    /// <summary>Reports every configuration problem by name, rather than one generic failure.</summary>
    sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebhookOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
