namespace Outbox.Bus.Contracts;

/// <summary>The saga has taken the job: it is readable through the job-status API from now on.</summary>
public record SendScheduled(Guid JobId, string Status);
