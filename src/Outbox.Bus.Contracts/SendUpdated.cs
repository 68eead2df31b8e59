namespace Outbox.Bus.Contracts;

public record SendUpdated(Guid JobId, string Status);
