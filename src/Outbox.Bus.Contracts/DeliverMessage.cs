namespace Outbox.Bus.Contracts;

/// <summary>One delivery attempt. <paramref name="MessageId"/> is the same for every attempt of a job, so that a
/// duplicate delivery is recognisable by the recipient.</summary>
public record DeliverMessage(
    Guid JobId,
    string AccountId,
    int Attempt,
    string MessageId,
    EmailMessage Message);
