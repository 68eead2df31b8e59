using System.Buffers;
using System.Text;
using System.Text.Json;
using Outbox.Bus.Contracts;
using Outbox.Bus.Components.Webhooks;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// The Nylas v2 message-tracking notifications, written field by field so their shape and order are Nylas's:
/// <c>{"deltas": [{"date", "object", "type", "object_data": {"namespace_id", "account_id", "object", "attributes": null,
/// "id", "metadata": {…}}}]}</c>. Opens and clicks are <c>metadata</c> objects, replies <c>message</c> objects, as in
/// Nylas (the Node SDK then reads a reply's metadata as <c>MessageTrackingData</c>). <c>id</c> is the tracked message's
/// <c>job_status_id</c>; <c>message_id</c> values are <c>Message-ID</c>s without angle brackets, like the job
/// notifications' <c>metadata.message_id</c>. Nylas's numeric <c>sender_app_id</c> has no counterpart here and is left out.
/// </summary>
public static class TrackingWebhookBodies
{
    /// <summary>One entry of <c>recents</c>; <paramref name="Id"/> counts the message's opens (or clicks) from 0.</summary>
    public sealed record Recent(int Id, string? Ip, string? UserAgent, DateTime At, int? LinkIndex = null);

    /// <summary>One entry of <c>link_data</c>: a clicked link and how often it was clicked.</summary>
    public sealed record LinkCount(string Url, int Count);

    /// <summary>The facts every notification about one tracked message shares.</summary>
    public sealed record Tracked(Guid JobId, string AccountId, string MessageId, JsonElement? Payload);

    /// <summary><c>metadata: {"count", "message_id", "payload", "recents": [{"id", "ip", "user_agent", "timestamp"}],
    /// "timestamp"}</c>; <c>timestamp</c> is the first open.</summary>
    public static string MessageOpened(Tracked message, DateTime openedAt, int count, DateTime firstOpenedAt, IReadOnlyList<Recent> recents) =>
        Write(WebhookTriggers.MessageOpened, "metadata", message, openedAt, json =>
        {
            json.WriteNumber("count", count);
            json.WriteString("message_id", message.MessageId);
            WritePayload(json, message.Payload);
            WriteRecents(json, recents);
            json.WriteNumber("timestamp", UnixSeconds(firstOpenedAt));
        });

    /// <summary><c>metadata: {"link_data": [{"url", "count"}], "message_id", "payload", "recents": [{"id", "ip",
    /// "link_index", "user_agent", "timestamp"}], "timestamp"}</c>; <c>link_data</c> lists the links clicked so far, in
    /// link order, and <c>timestamp</c> is the first click.</summary>
    public static string LinkClicked(Tracked message, DateTime clickedAt, IReadOnlyList<LinkCount> links, DateTime firstClickedAt,
        IReadOnlyList<Recent> recents) =>
        Write(WebhookTriggers.MessageLinkClicked, "metadata", message, clickedAt, json =>
        {
            json.WriteStartArray("link_data");
            foreach (var link in links)
            {
                json.WriteStartObject();
                json.WriteString("url", link.Url);
                json.WriteNumber("count", link.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("message_id", message.MessageId);
            WritePayload(json, message.Payload);
            WriteRecents(json, recents);
            json.WriteNumber("timestamp", UnixSeconds(firstClickedAt));
        });

    /// <summary><c>metadata: {"from_self", "message_id", "payload", "reply_to_message_id", "thread_id", "timestamp"}</c>:
    /// <c>message_id</c> is the reply's, <c>reply_to_message_id</c> the tracked message's, and <c>thread_id</c> the
    /// tracked message's <c>job_status_id</c> (the conversation it started has no other id here).</summary>
    public static string ThreadReplied(Tracked message, ThreadReplied reply) =>
        Write(WebhookTriggers.ThreadReplied, "message", message, reply.DetectedAt, json =>
        {
            json.WriteBoolean("from_self", reply.FromSelf);
            json.WriteString("message_id", reply.MessageId);
            WritePayload(json, message.Payload);
            json.WriteString("reply_to_message_id", reply.ReplyToMessageId);
            json.WriteString("thread_id", PublicId.Format(message.JobId));
            json.WriteNumber("timestamp", UnixSeconds(reply.RepliedAt));
        });

    static string Write(string trigger, string objectType, Tracked message, DateTime date, Action<Utf8JsonWriter> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("deltas");
            json.WriteStartObject();
            json.WriteNumber("date", UnixSeconds(date));
            json.WriteString("object", objectType);
            json.WriteString("type", trigger);

            json.WriteStartObject("object_data");
            json.WriteString("namespace_id", message.AccountId);
            json.WriteString("account_id", message.AccountId);
            json.WriteString("object", objectType);
            json.WriteNull("attributes");
            json.WriteString("id", PublicId.Format(message.JobId));
            json.WriteStartObject("metadata");
            metadata(json);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The client's <c>tracking.payload</c> exactly as given (Nylas clients send a string); null when absent.</summary>
    static void WritePayload(Utf8JsonWriter json, JsonElement? payload)
    {
        json.WritePropertyName("payload");
        if (payload is { } value)
            value.WriteTo(json);
        else
            json.WriteNullValue();
    }

    static void WriteRecents(Utf8JsonWriter json, IReadOnlyList<Recent> recents)
    {
        json.WriteStartArray("recents");
        foreach (var recent in recents)
        {
            json.WriteStartObject();
            json.WriteNumber("id", recent.Id);
            json.WriteString("ip", recent.Ip);
            if (recent.LinkIndex is { } linkIndex)
                json.WriteNumber("link_index", linkIndex);
            json.WriteString("user_agent", recent.UserAgent);
            json.WriteNumber("timestamp", UnixSeconds(recent.At));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Times are stored as UTC but may come back from a database without their kind.</summary>
    static long UnixSeconds(DateTime time) =>
        new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds();
}
