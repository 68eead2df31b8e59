namespace Outbox.Bus.Contracts;

/// <summary>
/// A recipient's mail client loaded the tracking pixel of a sent job's message. <paramref name="EventId"/> is the stored
/// open, so notifications count and list the opens up to and including this one.
/// </summary>
public record MessageOpened(
    Guid EventId,
    Guid JobId,
    string AccountId,
    string? Ip,
    string? UserAgent,
    DateTime OpenedAt);
