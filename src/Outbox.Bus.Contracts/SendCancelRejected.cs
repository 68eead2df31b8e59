namespace Outbox.Bus.Contracts;

public record SendCancelRejected(Guid JobId, string Reason);
