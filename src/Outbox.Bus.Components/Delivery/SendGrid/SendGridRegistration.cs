using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Delivery.SendGrid;

public static class SendGridRegistration
{
    /// <summary>Options (section <c>SendGrid</c>), the pooled HttpClient and <see cref="SendGridFallback"/>. Registered on
    /// every host that sends or answers <c>verified_status</c>; without an API key the fallback simply reports itself
    /// unconfigured.</summary>
    public static IServiceCollection AddSendGridFallback(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SendGridOptions>().Bind(configuration.GetSection(SendGridOptions.Section))
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "SendGrid:BaseUrl must be an absolute http(s) URL")
            .Validate(o => o.Timeout > TimeSpan.Zero, "SendGrid:Timeout must be positive")
            .Validate(o => o.VerificationCacheDuration >= TimeSpan.Zero, "SendGrid:VerificationCacheDuration must not be negative")
            .Validate(o => o.MaxRateLimitBackOff >= TimeSpan.Zero, "SendGrid:MaxRateLimitBackOff must not be negative")
            .ValidateOnStart();

        services.AddHttpClient(SendGridFallback.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = provider.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout);
        services.TryAddSingleton<SendGridFallback>();
        return services;
    }
}
