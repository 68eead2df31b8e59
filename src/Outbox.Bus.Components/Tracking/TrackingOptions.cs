namespace Outbox.Bus.Components.Tracking;

/// <summary>Message tracking (section <c>Tracking</c>): where pixels and links point, and how replies are looked for.</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    /// <summary>
    /// The public address of the API as recipients reach it, e.g. <c>https://outbox.example.com</c> (a path prefix is
    /// kept). Pixels and rewritten links point here. Without it, messages go out untracked: a guessed address would send
    /// recipients nowhere.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>How often the IMAP inboxes of accounts with reply tracking are checked when the server has no IDLE, the
    /// longest an IDLE lasts before a check anyway, and how often the list of accounts to watch is refreshed.</summary>
    public TimeSpan ReplyPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after a message was sent its replies are still looked for.</summary>
    public TimeSpan ReplyWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>For connecting to, and each command on, an account's IMAP server.</summary>
    public TimeSpan ImapTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many opens or clicks a notification lists in <c>recents</c>.</summary>
    public int RecentEvents { get; set; } = 10;

    /// <summary>Links longer than this stay as they are: the token carries the URL, and the request line has a limit.</summary>
    public int MaxTrackedUrlLength { get; set; } = 2048;

    /// <summary><see cref="BaseUrl"/> without a trailing slash, or null when tracking cannot be applied.</summary>
    public string? BaseAddress => string.IsNullOrWhiteSpace(BaseUrl) ? null : BaseUrl.Trim().TrimEnd('/');

    /// <summary>The start-up check: a misconfiguration stops the host instead of producing broken links later.</summary>
    public IEnumerable<string> Validate()
    {
        if (BaseAddress is { } address
            && (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)
                || !string.IsNullOrEmpty(uri.UserInfo)))
            yield return "Tracking:BaseUrl must be an absolute http or https URL without user info, query or fragment";
        if (ReplyPollInterval <= TimeSpan.Zero)
            yield return "Tracking:ReplyPollInterval must be positive";
        if (ReplyWindow <= TimeSpan.Zero)
            yield return "Tracking:ReplyWindow must be positive";
        if (ImapTimeout <= TimeSpan.Zero)
            yield return "Tracking:ImapTimeout must be positive";
        if (RecentEvents is < 1 or > 100)
            yield return "Tracking:RecentEvents must be between 1 and 100";
        if (MaxTrackedUrlLength is < 16 or > 4096)
            yield return "Tracking:MaxTrackedUrlLength must be between 16 and 4096";
    }
}
