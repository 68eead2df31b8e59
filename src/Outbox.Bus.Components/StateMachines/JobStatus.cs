namespace Outbox.Bus.Components.StateMachines;

/// <summary>The public <c>status</c> values of the Nylas job-status API.</summary>
public static class JobStatus
{
    public const string Pending = "pending";
    public const string Delayed = "delayed";
    public const string Successful = "successful";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Pending, Delayed, Successful, Failed, Cancelled];

    public static string Of(SendJobState job) => job.CurrentState switch
    {
        nameof(SendJobStateMachine.Successful) => Successful,
        nameof(SendJobStateMachine.Failed) => Failed,
        nameof(SendJobStateMachine.Cancelled) => Cancelled,
        nameof(SendJobStateMachine.Delayed) => Delayed,
        // An attempt in flight is still "pending" the first time and "delayed" once one has failed.
        nameof(SendJobStateMachine.Sending) => job.AttemptCount > 1 ? Delayed : Pending,
        _ => Pending,
    };

    /// <summary>The saga states a public status covers, for filtering a listing in the database.</summary>
    public static string[] StatesFor(string status) => status switch
    {
        Pending => [nameof(SendJobStateMachine.Pending), nameof(SendJobStateMachine.Sending)],
        Delayed => [nameof(SendJobStateMachine.Delayed), nameof(SendJobStateMachine.Sending)],
        Successful => [nameof(SendJobStateMachine.Successful)],
        Failed => [nameof(SendJobStateMachine.Failed)],
        Cancelled => [nameof(SendJobStateMachine.Cancelled)],
        _ => [],
    };
}
