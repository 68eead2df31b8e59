namespace Outbox.Bus.Contracts;

/// <summary>One attempt through the fallback service (SendGrid), once the account's own provider has failed the job
/// enough times or hit its daily limit.</summary>
public record DeliverViaFallback(
    Guid JobId,
    string AccountId,
    int Attempt,
    string MessageId,
    EmailMessage Message);
