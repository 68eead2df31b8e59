namespace Outbox.Bus.Contracts;

/// <param name="RejectedRecipients">Recipients the provider refused while accepting the message for the others.</param>
public record MessageSent(
    Guid JobId,
    int Attempt,
    string MessageId,
    string Route,
    string? Reply,
    DateTime SentAt,
    IReadOnlyList<string>? RejectedRecipients = null);
