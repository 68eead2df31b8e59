namespace Outbox.Bus.Contracts;

public record SendUpdateRejected(Guid JobId, string Reason);
