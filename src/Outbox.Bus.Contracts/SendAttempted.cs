namespace Outbox.Bus.Contracts;

/// <summary>The outcome of the first attempt of a <c>sendnow</c> job.</summary>
public record SendAttempted(
    Guid JobId,
    bool Succeeded,
    string Status,
    string? MessageId,
    string? Reason,
    string? Reply);
