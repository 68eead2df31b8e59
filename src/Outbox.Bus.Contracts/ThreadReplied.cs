namespace Outbox.Bus.Contracts;

/// <summary>
/// A message in the account's IMAP inbox answers a sent job's message (its <c>In-Reply-To</c> or <c>References</c> name
/// it). <paramref name="MessageId"/> is the reply's <c>Message-ID</c> and <paramref name="ReplyToMessageId"/> the tracked
/// message's, both without angle brackets. <paramref name="RepliedAt"/> is the reply's own date, <paramref name="DetectedAt"/>
/// when the service found it.
/// </summary>
public record ThreadReplied(
    Guid JobId,
    string AccountId,
    string MessageId,
    string ReplyToMessageId,
    bool FromSelf,
    DateTime RepliedAt,
    DateTime DetectedAt);
