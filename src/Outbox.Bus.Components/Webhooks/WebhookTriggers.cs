namespace Outbox.Bus.Components.Webhooks;

/// <summary>The triggers a subscription may name. The tracking ones are accepted now so subscriptions made by Nylas
/// clients need no change when tracking notifications are delivered.</summary>
public static class WebhookTriggers
{
    public const string JobSuccessful = "job.successful";
    public const string JobFailed = "job.failed";
    public const string JobDelayed = "job.delayed";
    public const string JobCancelled = "job.cancelled";
    public const string MessageOpened = "message.opened";
    public const string MessageLinkClicked = "message.link_clicked";
    public const string ThreadReplied = "thread.replied";

    public static readonly IReadOnlyList<string> All =
        [JobSuccessful, JobFailed, JobDelayed, JobCancelled, MessageOpened, MessageLinkClicked, ThreadReplied];

    public static bool IsKnown(string trigger) => All.Contains(trigger, StringComparer.Ordinal);

    /// <summary>The trigger a job's public status fires, or null (<c>pending</c> has none).</summary>
    public static string? ForJobStatus(string status) => status switch
    {
        "successful" => JobSuccessful,
        "failed" => JobFailed,
        "delayed" => JobDelayed,
        "cancelled" => JobCancelled,
        _ => null,
    };
}
