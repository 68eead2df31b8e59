namespace Outbox.Bus.Components.StateMachines;

/// <summary>One attempt as the job's <c>metadata.attempts</c> shows it.</summary>
public record DeliveryAttempt(int Number, DateTime At, string Route, string Outcome, string? Reply,
    IReadOnlyList<string>? RejectedRecipients = null);
