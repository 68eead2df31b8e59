using System.Text.Json;

namespace Outbox.Bus.Api.Models;

/// <summary>
/// A send or update body as Nylas clients write it. Fields the service does not use (<c>date</c>, <c>events</c>,
/// <c>labels</c>, <c>version</c>, …) are simply not bound.
/// </summary>
public sealed record SendRequest
{
    public List<Participant>? From { get; init; }
    public List<Participant>? To { get; init; }
    public List<Participant>? Cc { get; init; }
    public List<Participant>? Bcc { get; init; }
    public List<Participant>? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    /// <summary>Unix seconds; SDKs may send fractions, which are kept to the second.</summary>
    public double? SendAt { get; init; }

    public double? RetryLimitDatetime { get; init; }
    public JsonElement? Tracking { get; init; }
    public JsonElement? Metadata { get; init; }
    public List<JsonElement>? FileIds { get; init; }
}
