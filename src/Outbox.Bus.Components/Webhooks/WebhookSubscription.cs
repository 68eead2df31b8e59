namespace Outbox.Bus.Components.Webhooks;

/// <summary>An application's webhook: where to post which notifications. Signed with the application's client secret,
/// which is configuration, never stored here.</summary>
public class WebhookSubscription
{
    /// <summary>25 lowercase base-36 characters, like every Nylas id.</summary>
    public string Id { get; set; } = null!;

    /// <summary>The application's client id (<c>application_id</c> on the wire).</summary>
    public string ApplicationId { get; set; } = null!;

    public string CallbackUrl { get; set; } = null!;
    public string State { get; set; } = WebhookStates.Active;
    public List<string> Triggers { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
