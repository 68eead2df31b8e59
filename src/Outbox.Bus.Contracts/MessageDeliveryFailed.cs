namespace Outbox.Bus.Contracts;

/// <summary>An attempt that did not deliver. <paramref name="FallbackAvailable"/>: the sender found a fallback service the
/// account may use (an application-level or the account's own key), which the saga's retry decision depends on.</summary>
public record MessageDeliveryFailed(
    Guid JobId,
    int Attempt,
    FailureKind Kind,
    string Reason,
    string Route,
    string? Reply,
    DateTime FailedAt,
    bool FallbackAvailable = false);
