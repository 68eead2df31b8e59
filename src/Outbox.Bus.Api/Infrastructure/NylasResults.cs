using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Models;

namespace Outbox.Bus.Api.Infrastructure;

public static class NylasResults
{
    public static JsonHttpResult<NylasError> Error(int status, string message, string type = NylasError.InvalidRequest,
        string? serverError = null) =>
        TypedResults.Json(new NylasError(message, type, serverError), statusCode: status);

    public static JsonHttpResult<NylasError> BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static JsonHttpResult<NylasError> NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    public static JsonHttpResult<NylasError> Conflict(string message) => Error(StatusCodes.Status409Conflict, message);

    /// <summary>For the places outside an endpoint (authentication, middleware) that must answer in the same shape.</summary>
    public static async Task Write(HttpContext context, int status, NylasError error)
    {
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, error, json, context.RequestAborted);
    }
}
