namespace Outbox.Bus.Contracts;

/// <summary>The content of a send job, as the client gave it (after defaults such as the account's own From).</summary>
/// <param name="Tracking">The client's <c>tracking</c> object as raw JSON text, echoed back unchanged.</param>
/// <param name="Metadata">The client's <c>metadata</c> object as raw JSON text, echoed back unchanged.</param>
public record EmailMessage(
    IReadOnlyList<EmailAddress> From,
    IReadOnlyList<EmailAddress> To,
    IReadOnlyList<EmailAddress> Cc,
    IReadOnlyList<EmailAddress> Bcc,
    IReadOnlyList<EmailAddress> ReplyTo,
    string? Subject,
    string? Body,
    string? Tracking = null,
    string? Metadata = null);
