using System.Linq.Expressions;

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

    /// <summary>The public status as a database predicate, so a listing filters and pages in the database.</summary>
    public static Expression<Func<SendJobState, bool>> Filter(string status) => status switch
    {
        Pending => j => j.CurrentState == nameof(SendJobStateMachine.Pending)
            || (j.CurrentState == nameof(SendJobStateMachine.Sending) && j.AttemptCount <= 1),
        Delayed => j => j.CurrentState == nameof(SendJobStateMachine.Delayed)
            || (j.CurrentState == nameof(SendJobStateMachine.Sending) && j.AttemptCount > 1),
        Successful => j => j.CurrentState == nameof(SendJobStateMachine.Successful),
        Failed => j => j.CurrentState == nameof(SendJobStateMachine.Failed),
        Cancelled => j => j.CurrentState == nameof(SendJobStateMachine.Cancelled),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a job status"),
    };
}
