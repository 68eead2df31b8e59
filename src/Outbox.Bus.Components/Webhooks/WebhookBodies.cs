using System.Buffers;
using System.Text;
using System.Text.Json;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>The notification bodies, written field by field so their shape and order are exactly DESIGN.md §5's.</summary>
public static class WebhookBodies
{
    /// <summary>When a job is due, if the saga's row was found; the SDK shows them as <c>extras.send_at</c> / <c>original_send_at</c>.</summary>
    public sealed record JobTimes(DateTime SendAt, DateTime OriginalSendAt);

    /// <summary>
    /// <c>{"deltas": [{"date", "object": "message", "type", "object_data": {"namespace_id", "account_id", "object",
    /// "attributes", "id", "metadata": {"job_status_id", "status", "reason"?, "message_id"?}}}]}</c>.
    /// <para>
    /// <c>attributes</c> also carries the job (<c>action</c>, <c>job_status_id</c>, <c>message_id</c>, <c>extras</c>):
    /// the Nylas Node SDK re-reads <c>metadata</c> of a message as tracking data and drops the job fields, so without
    /// them an SDK user could not tell which job a notification is about. Receivers that read <c>metadata</c> see it
    /// unchanged.
    /// </para>
    /// </summary>
    public static string JobStatus(JobStatusChanged change, string trigger, JobTimes? times)
    {
        var jobStatusId = PublicId.Format(change.JobId);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("deltas");
            json.WriteStartObject();
            json.WriteNumber("date", UnixSeconds(change.ChangedAt));
            json.WriteString("object", "message");
            json.WriteString("type", trigger);

            json.WriteStartObject("object_data");
            json.WriteString("namespace_id", change.AccountId);
            json.WriteString("account_id", change.AccountId);
            json.WriteString("object", "message");

            json.WriteStartObject("attributes");
            json.WriteString("action", "new_outbox");
            json.WriteString("job_status_id", jobStatusId);
            if (change.MessageId is not null)
                json.WriteString("message_id", change.MessageId);
            json.WriteStartObject("extras");
            if (change.Reason is not null)
                json.WriteString("reason", change.Reason);
            if (times is not null)
            {
                json.WriteNumber("send_at", UnixSeconds(times.SendAt));
                json.WriteNumber("original_send_at", UnixSeconds(times.OriginalSendAt));
            }
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteString("id", jobStatusId);
            json.WriteStartObject("metadata");
            json.WriteString("job_status_id", jobStatusId);
            json.WriteString("status", change.Status);
            if (change.Reason is not null)
                json.WriteString("reason", change.Reason);
            if (change.MessageId is not null)
                json.WriteString("message_id", change.MessageId);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Times are stored as UTC but may come back from a database without their kind.</summary>
    static long UnixSeconds(DateTime time) =>
        new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds();
}
