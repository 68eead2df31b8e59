using System.Text.Json;

namespace Outbox.Bus.Components.Tracking;

/// <summary>What a job's <c>tracking</c> object asks for: <c>{"opens", "links", "thread_replies", "payload"}</c>.</summary>
public sealed record TrackingRequest(bool Opens, bool Links, bool ThreadReplies, JsonElement? Payload)
{
    public static readonly TrackingRequest None = new(false, false, false, null);

    public bool Any => Opens || Links || ThreadReplies;

    /// <summary>
    /// Reads the raw JSON the API stored. Only a JSON <c>true</c> turns a feature on, as in the Nylas API; anything else,
    /// including text that is not a JSON object, means off, so a malformed value never breaks a delivery.
    /// </summary>
    public static TrackingRequest Parse(string? tracking)
    {
        if (string.IsNullOrWhiteSpace(tracking))
            return None;
        try
        {
            using var document = JsonDocument.Parse(tracking);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return None;
            return new TrackingRequest(
                Flag(root, "opens"),
                Flag(root, "links"),
                Flag(root, "thread_replies"),
                root.TryGetProperty("payload", out var payload) ? payload.Clone() : null);
        }
        catch (JsonException)
        {
            return None;
        }
    }

    static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
