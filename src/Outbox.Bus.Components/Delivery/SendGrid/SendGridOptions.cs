namespace Outbox.Bus.Components.Delivery.SendGrid;

/// <summary>The fallback service. Without an <see cref="ApiKey"/> there is no fallback: jobs only retry over SMTP.</summary>
public sealed class SendGridOptions
{
    public const string Section = "SendGrid";

    /// <summary>The application-level API key. It needs the Mail Send scope, and read access to Sender Authentication
    /// unless <see cref="RequireVerifiedSender"/> is off.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Configurable so that EU subusers (<c>https://api.eu.sendgrid.com</c>) and tests (a local server) work.</summary>
    public string BaseUrl { get; set; } = "https://api.sendgrid.com";

    /// <summary>How long one request to SendGrid may take before the attempt counts as a transient failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refuse, before calling mail/send, senders that are neither a verified Single Sender nor in an authenticated
    /// domain: SendGrid would refuse them anyway, and this way the reason says what to fix.</summary>
    public bool RequireVerifiedSender { get; set; } = true;

    /// <summary>How long the verified senders and authenticated domains are reused before SendGrid is asked again, so a
    /// burst of fallback sends does not query the verification APIs per message.</summary>
    public TimeSpan VerificationCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest back-off a 429's reset time may impose, so a bogus header cannot stall the fallback for hours.</summary>
    public TimeSpan MaxRateLimitBackOff { get; set; } = TimeSpan.FromMinutes(15);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);
}
