namespace Outbox.Bus.Components.Webhooks;

/// <summary>How one delivery attempt ended.</summary>
public static class WebhookOutcomes
{
    /// <summary>2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Anything else that is worth retrying: another status, a timeout, a connection or address error.</summary>
    public const string Failed = "failed";

    /// <summary>410 Gone: the receiver asked for no more notifications; the subscription is made inactive.</summary>
    public const string Gone = "gone";
}
