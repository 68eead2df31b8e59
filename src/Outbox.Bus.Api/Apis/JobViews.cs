using System.Text.Json;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Api.Apis;

/// <summary>Saga state as the Nylas wire shapes of DESIGN.md §5 show it.</summary>
public static class JobViews
{
    public static long Unix(DateTime value) => (long)Math.Floor((value - DateTime.UnixEpoch).TotalSeconds);

    public static OriginalData Original(EmailMessage message, DateTime sendAt, DateTime originalSendAt, DateTime retryLimit) => new(
        message.From.Select(Participant).ToList(),
        message.To.Select(Participant).ToList(),
        message.Cc.Select(Participant).ToList(),
        message.Bcc.Select(Participant).ToList(),
        message.ReplyTo.Select(Participant).ToList(),
        message.Subject,
        message.Body,
        Json(message.Tracking),
        Json(message.Metadata),
        Unix(sendAt),
        Unix(originalSendAt),
        Unix(retryLimit));

    public static SendResponse Accepted(Guid jobId, string accountId, string status, JobDraft draft, DateTime originalSendAt) =>
        new(PublicId.Format(jobId), accountId, status, Original(draft.Message, draft.SendAt, originalSendAt, draft.RetryLimit));

    public static JobStatusResponse Status(SendJobState job)
    {
        var id = PublicId.Format(job.CorrelationId);
        var attempts = job.Attempts.ToArray();
        return new JobStatusResponse(
            job.AccountId,
            "new_outbox",
            Unix(job.CreatedAt),
            id,
            id,
            "message",
            JobStatus.Of(job),
            Unix(job.SendAt),
            Unix(job.OriginalSendAt),
            Unix(job.RetryLimit),
            job.Reason,
            Original(job.Message, job.SendAt, job.OriginalSendAt, job.RetryLimit),
            new JobMetadata(
                job.Sent ? job.MessageId : null,
                attempts.Select(a => new AttemptView(a.Number, Unix(a.At), a.Route, a.Outcome, a.Reply, a.RejectedRecipients)).ToList(),
                attempts.LastOrDefault(a => a.Outcome == "sent")?.RejectedRecipients))
        {
            MessageId = job.Sent ? $"<{job.MessageId}>" : null,
        };
    }

    public static JobDraft Draft(SendJobState job) => new(job.Message, job.SendAt, job.RetryLimit);

    static Participant Participant(EmailAddress address) => new(address.Email, address.Name);

    static JsonElement? Json(string? raw)
    {
        if (raw is null)
            return null;
        using var document = JsonDocument.Parse(raw);
        return document.RootElement.Clone();
    }
}
