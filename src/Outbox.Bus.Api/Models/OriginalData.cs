using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outbox.Bus.Api.Models;

public sealed record OriginalData(
    IReadOnlyList<Participant> From,
    IReadOnlyList<Participant> To,
    IReadOnlyList<Participant> Cc,
    IReadOnlyList<Participant> Bcc,
    IReadOnlyList<Participant> ReplyTo,
    string? Subject,
    string? Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Tracking,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Metadata,
    long SendAt,
    long OriginalSendAt,
    long RetryLimitDatetime);
