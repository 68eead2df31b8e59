namespace Outbox.Bus.Components.Webhooks;

/// <summary>One attempt to post a notification, as the delivery log shows it.</summary>
public class WebhookDeliveryAttempt
{
    /// <summary>Database-assigned, increasing: the log's "newest first" order.</summary>
    public long Id { get; set; }

    public string SubscriptionId { get; set; } = null!;

    /// <summary>The same for every attempt of one notification.</summary>
    public Guid DeliveryId { get; set; }

    public string Trigger { get; set; } = null!;
    public int Attempt { get; set; }
    public DateTime AttemptedAt { get; set; }

    /// <summary><see cref="WebhookOutcomes"/>.</summary>
    public string Outcome { get; set; } = null!;

    /// <summary>The receiver's HTTP status, when it answered at all.</summary>
    public int? StatusCode { get; set; }

    /// <summary>Why the attempt failed when there is no status to say it (timeout, refused address, connection error).</summary>
    public string? Error { get; set; }

    public long LatencyMs { get; set; }
}
