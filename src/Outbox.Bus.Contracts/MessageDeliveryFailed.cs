namespace Outbox.Bus.Contracts;

public record MessageDeliveryFailed(
    Guid JobId,
    int Attempt,
    FailureKind Kind,
    string Reason,
    string Route,
    string? Reply,
    DateTime FailedAt);
