using Outbox.Bus.Api.Models;

namespace Outbox.Bus.Api.Infrastructure;

/// <summary>Whatever goes wrong outside a handler's own checks still answers in the Nylas error shape.</summary>
public sealed class NylasErrorMiddleware(RequestDelegate next, ILogger<NylasErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            var message = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large."
                : exception.Message;
            await NylasResults.Write(context, exception.StatusCode, NylasError.Invalid(message));
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(exception, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
            await NylasResults.Write(context, StatusCodes.Status500InternalServerError,
                new NylasError("The server failed to process the request.", NylasError.ApiError));
        }
    }
}
