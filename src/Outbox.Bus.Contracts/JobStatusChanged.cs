namespace Outbox.Bus.Contracts;

/// <summary>Published whenever a job's public status changes; webhook subscribers are notified from it.</summary>
public record JobStatusChanged(
    Guid JobId,
    string AccountId,
    string Status,
    string? Reason,
    string? MessageId,
    DateTime ChangedAt);
