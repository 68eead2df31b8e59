namespace Outbox.Bus.Contracts;

/// <summary>Creates a send job. With <paramref name="SendNow"/> the requester waits for <see cref="SendAttempted"/>
/// instead of <see cref="SendScheduled"/>.</summary>
public record ScheduleSend(
    Guid JobId,
    string AccountId,
    EmailMessage Message,
    DateTime SendAt,
    DateTime RetryLimit,
    DateTime RequestedAt,
    bool SendNow = false);
