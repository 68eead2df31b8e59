namespace Outbox.Bus.Components.Tracking;

/// <summary>A sent message whose replies are looked for (its job asked for <c>thread_replies</c>).</summary>
public class TrackedThread
{
    public Guid JobId { get; set; }
    public string AccountId { get; set; } = null!;

    /// <summary>The sent message's <c>Message-ID</c>, without angle brackets: what a reply's headers name.</summary>
    public string MessageId { get; set; } = null!;

    public DateTime SentAt { get; set; }
}
