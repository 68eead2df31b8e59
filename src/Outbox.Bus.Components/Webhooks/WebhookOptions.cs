using System.Net;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>How webhook endpoints are checked and notifications delivered (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The waits between attempts when none are configured: quick at first for a blip, then hourly.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(15),
        TimeSpan.FromHours(1),
    ];

    /// <summary>Lets callbacks reach 127.0.0.0/8 and ::1. Off in production (SSRF); on for local development and tests.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>CIDRs (e.g. <c>10.20.0.0/16</c>) that callbacks may reach although they are not public: an operator's
    /// deliberate exception, such as receivers on the same private network.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>For the whole of one request: the challenge at creation and each delivery attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the n-th failed attempt is the n-th entry; the last one repeats. Empty means
    /// <see cref="DefaultRetryDelays"/> (a configured list replaces them rather than adding to them).</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>No attempt is made later than this after the first; a notification still failing then marks the
    /// subscription <c>failed</c>.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A subscription becomes <c>failing</c> when <see cref="FailingThreshold"/> of its last
    /// <see cref="FailingWindow"/> attempts failed.</summary>
    public int FailingWindow { get; set; } = 5;

    public int FailingThreshold { get; set; } = 3;

    /// <summary>Delivery-log rows older than this are deleted by the webhook role.</summary>
    public TimeSpan DeliveryLogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the webhook role looks for delivery-log rows past <see cref="DeliveryLogRetention"/>.</summary>
    public TimeSpan DeliveryLogCleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The wait before the next attempt after <paramref name="failedAttempts"/> failures (1 or more).</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var delays = RetryDelays.Count > 0 ? (IReadOnlyList<TimeSpan>)RetryDelays : DefaultRetryDelays;
        return delays[Math.Clamp(failedAttempts, 1, delays.Count) - 1];
    }

    public IReadOnlyList<IPNetwork> ParsedAllowedNetworks() => AllowedNetworks.Select(IPNetwork.Parse).ToArray();

    /// <summary>The start-up check: a misconfiguration stops the host instead of failing every delivery later.</summary>
    public IEnumerable<string> Validate()
    {
        if (Timeout <= TimeSpan.Zero)
            yield return "Webhooks:Timeout must be positive";
        if (RetryWindow <= TimeSpan.Zero)
            yield return "Webhooks:RetryWindow must be positive";
        if (RetryDelays.Any(d => d <= TimeSpan.Zero))
            yield return "Webhooks:RetryDelays must all be positive";
        if (DeliveryLogRetention <= TimeSpan.Zero || DeliveryLogCleanupInterval <= TimeSpan.Zero)
            yield return "Webhooks:DeliveryLogRetention and Webhooks:DeliveryLogCleanupInterval must be positive";
        if (FailingWindow < 1 || FailingThreshold < 1 || FailingThreshold > FailingWindow)
            yield return "Webhooks:FailingThreshold must be between 1 and Webhooks:FailingWindow";
        foreach (var network in AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                yield return $"Webhooks:AllowedNetworks: '{network}' is not a CIDR such as 10.20.0.0/16";
    }
}
