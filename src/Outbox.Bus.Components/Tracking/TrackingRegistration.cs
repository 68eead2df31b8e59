using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Tracking;

public static class TrackingRegistration
{
    /// <summary>
    /// Options (section <c>Tracking</c>), the shared signing key and the HTML rewrite. Every host needs them: senders
    /// sign and rewrite, the API verifies the tokens it serves, the webhook role reads the options.
    /// </summary>
    public static IServiceCollection AddOutboxBusTracking(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TrackingOptions>().Bind(configuration.GetSection(TrackingOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrackingOptions>, TrackingOptionsValidation>());
        services.TryAddSingleton<TrackingKeys>();
        services.TryAddSingleton<MessageTracking>();
        return services;
    }

    /// <summary>
    /// The tracking side of the webhook role: <c>notify-tracking-webhook</c> (opens, clicks and replies to
    /// notifications), <c>track-thread-replies</c> (which sent messages to watch), and the IMAP reply poller.
    /// </summary>
    public static IBusRegistrationConfigurator AddTrackingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NotifyTrackingWebhookConsumer, NotifyTrackingWebhookConsumerDefinition>();
        bus.AddConsumer<TrackThreadRepliesConsumer, TrackThreadRepliesConsumerDefinition>();
        bus.TryAddSingleton<ImapReplyWatcher>();
        bus.AddHostedService<ThreadReplyPoller>();
        return bus;
    }

    /// <summary>Reports every configuration problem by name, rather than one generic failure.</summary>
    sealed class TrackingOptionsValidation : IValidateOptions<TrackingOptions>
    {
        public ValidateOptionsResult Validate(string? name, TrackingOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
