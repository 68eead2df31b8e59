namespace Outbox.Bus.Contracts;

/// <summary>The answer to an update or cancel for a job that does not exist or belongs to another account.</summary>
public record JobNotFound(Guid JobId);
