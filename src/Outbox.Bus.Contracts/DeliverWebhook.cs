namespace Outbox.Bus.Contracts;

/// <summary>
/// One attempt to post one notification to one webhook subscription. <paramref name="Body"/> is the exact JSON text to
/// post (and sign), built once when the notification is created, so every retry sends the same bytes.
/// <paramref name="DeliveryId"/> is the same for every attempt of one notification; the retry window is measured from
/// <paramref name="FirstAttemptAt"/>.
/// </summary>
public record DeliverWebhook(
    Guid DeliveryId,
    string SubscriptionId,
    string Trigger,
    string Body,
    int Attempt,
    DateTime FirstAttemptAt);
