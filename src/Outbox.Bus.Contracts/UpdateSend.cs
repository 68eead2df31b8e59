namespace Outbox.Bus.Contracts;

/// <summary>Replaces the content and timing of a job that has not been sent yet.</summary>
public record UpdateSend(
    Guid JobId,
    string AccountId,
    EmailMessage Message,
    DateTime SendAt,
    DateTime RetryLimit);
