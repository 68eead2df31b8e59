namespace Outbox.Bus.Contracts;

/// <summary>Scheduled by the saga for <c>send_at</c> and for each retry: the next attempt may start.</summary>
public record SendDue(Guid JobId);
