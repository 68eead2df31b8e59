namespace Outbox.Bus.Contracts;

public record MessageSent(
    Guid JobId,
    int Attempt,
    string MessageId,
    string Route,
    string? Reply,
    DateTime SentAt);
