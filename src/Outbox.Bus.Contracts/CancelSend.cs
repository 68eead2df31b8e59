namespace Outbox.Bus.Contracts;

public record CancelSend(Guid JobId, string AccountId);
