using System.Text.Json.Serialization;

namespace Outbox.Bus.Api.Models;

/// <summary>The error body every Nylas v2 endpoint answers with.</summary>
public sealed record NylasError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ServerError = null)
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ApiError = "api_error";

    public static NylasError Invalid(string message) => new(message, InvalidRequest);
}
