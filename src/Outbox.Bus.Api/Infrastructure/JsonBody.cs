using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Api.Infrastructure;

/// <summary>
/// Reads a JSON object body by hand rather than through parameter binding: malformed JSON must answer in the Nylas
/// error shape, and an update must tell a field that is absent from one that is sent as null.
/// </summary>
public sealed class JsonBody<T>
{
    public required JsonObject Fields { get; init; }
    public required T Value { get; init; }

    public bool Has(string field) => Fields.ContainsKey(field);

    public static async Task<(JsonBody<T>? Body, string? Error)> Read(HttpContext context)
    {
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            // A repeated key is malformed input, not a last-one-wins guess.
            var node = await JsonNode.ParseAsync(context.Request.Body,
                documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false },
                cancellationToken: context.RequestAborted);
            if (node is not JsonObject fields)
                return (null, "The request body must be a JSON object.");
            var value = fields.Deserialize<T>(json);
            return value is null ? (null, "The request body must be a JSON object.") : (new JsonBody<T> { Fields = fields, Value = value }, null);
        }
        catch (JsonException exception)
        {
            return (null, $"Invalid JSON in request body: {exception.Message}");
        }
    }
}
