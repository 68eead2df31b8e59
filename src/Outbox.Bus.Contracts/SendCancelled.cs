namespace Outbox.Bus.Contracts;

public record SendCancelled(Guid JobId, string Reason);
