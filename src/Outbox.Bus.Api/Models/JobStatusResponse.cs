using System.Text.Json.Serialization;

namespace Outbox.Bus.Api.Models;

public sealed record JobStatusResponse(
    string AccountId,
    string Action,
    long CreatedAt,
    string Id,
    string JobStatusId,
    string Object,
    string Status,
    long SendAt,
    long OriginalSendAt,
    long RetryLimitDatetime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    OriginalData OriginalData,
    JobMetadata Metadata)
{
    /// <summary>The sent message's <c>Message-ID</c>; the Nylas SDK reads it at the top level, not in metadata.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MessageId { get; init; }
}

public sealed record JobMetadata(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageId,
    IReadOnlyList<AttemptView> Attempts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RejectedRecipients = null);

public sealed record AttemptView(
    int Attempt,
    long At,
    string Route,
    string Outcome,
    string? Reply,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RejectedRecipients = null);
