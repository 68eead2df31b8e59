namespace Outbox.Bus.Components.Webhooks;

/// <summary>A subscription's <c>state</c>. Clients set <c>active</c> / <c>inactive</c>; deliveries set the others.</summary>
public static class WebhookStates
{
    public const string Active = "active";
    public const string Inactive = "inactive";

    /// <summary>Most recent attempts failed; notifications still go out, and the next success makes it active again.</summary>
    public const string Failing = "failing";

    /// <summary>A notification could not be delivered within the retry window; nothing more is sent until a client
    /// sets the subscription active again.</summary>
    public const string Failed = "failed";

    /// <summary>The states a client may ask for.</summary>
    public static readonly IReadOnlyList<string> Settable = [Active, Inactive];

    /// <summary>The states that receive notifications.</summary>
    public static readonly IReadOnlyList<string> Delivering = [Active, Failing];
}
