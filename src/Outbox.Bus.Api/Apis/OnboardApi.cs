using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Components.Delivery.SendGrid;

namespace Outbox.Bus.Api.Apis;

/// <summary><c>/v2/outbox/onboard</c>: what the fallback service (SendGrid) knows of the account's sender. The Nylas SDKs
/// call <c>verified_status</c> before relying on the fallback.</summary>
public static class OnboardApi
{
    /// <summary>Fresher than the sending path's cache: a user checks this right after clicking SendGrid's verification link,
    /// yet a client polling it does not query SendGrid on every call.</summary>
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapOnboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/outbox/onboard").RequireAuthorization(OutboxBusApi.AccountPolicy).WithTags("Outbox");
        group.MapGet("/verified_status", VerifiedStatus)
            .WithSummary("Whether the account's address may send through the fallback service (domain or single sender verified)");
        return app;
    }

    public static async Task<Results<Ok<VerifiedStatusResponse>, JsonHttpResult<NylasError>>> VerifiedStatus(
        ClaimsPrincipal user, [FromServices] SendGridFallback fallback, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!fallback.IsConfigured)
            return NylasResults.BadRequest("No fallback service is connected.");

        try
        {
            var verification = await fallback.GetVerificationAsync(user.Email(), cancellationToken, maxAge: MaxAge);
            return TypedResults.Ok(new VerifiedStatusResponse(new VerifiedStatusResults(verification.DomainVerified, verification.SenderVerified)));
        }
        catch (MailDeliveryException exception)
        {
            // SendGrid's fault or our configuration's, never the client's: a gateway error that says which.
            loggers.CreateLogger(typeof(OnboardApi)).LogWarning(exception, "verified_status: {Reason} ({Reply})", exception.Reason, exception.Reply);
            return NylasResults.Error(StatusCodes.Status502BadGateway, $"The fallback service could not be asked: {exception.Reason}.",
                NylasError.ApiError);
        }
    }
}
