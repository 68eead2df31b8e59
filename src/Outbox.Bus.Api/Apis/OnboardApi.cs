using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Components.Delivery.SendGrid;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Api.Apis;

/// <summary><c>/v2/outbox/onboard</c>: what the fallback service (SendGrid) knows of the account's sender (the Nylas SDKs
/// call <c>verified_status</c> before relying on the fallback), and the account's own SendGrid key. Where Nylas creates a
/// SendGrid subuser for the account, a self-hosted service takes the key of one the account already has; deleting it is
/// the SDKs' <c>deleteSendGridSubUser</c>.</summary>
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
        group.MapPost("/subuser", ConnectFallback)
            .WithSummary("Connect the account's own SendGrid API key as its fallback (checked with SendGrid first)");
        group.MapDelete("/subuser", DisconnectFallback)
            .WithSummary("Remove the account's own SendGrid key; the application's key, if any, serves it again");
        return app;
    }

    /// <summary>Keys longer than this are not SendGrid keys (theirs are 69 characters); the bound keeps junk out of storage.</summary>
    const int MaxApiKeyLength = 256;

    public static async Task<Results<Ok<VerifiedStatusResponse>, JsonHttpResult<NylasError>>> VerifiedStatus(
        ClaimsPrincipal user, OutboxBusDbContext db, IDataProtectionProvider dataProtection, [FromServices] SendGridFallback fallback,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var ownKey = await OwnKeyAsync(db, dataProtection, user.AccountId(), cancellationToken);
        if (ownKey is null && !fallback.IsConfigured)
            return NylasResults.BadRequest("No fallback service is connected.");

        try
        {
            var verification = await fallback.GetVerificationAsync(user.Email(), cancellationToken, ownKey, maxAge: MaxAge);
            return TypedResults.Ok(new VerifiedStatusResponse(new VerifiedStatusResults(verification.DomainVerified, verification.SenderVerified)));
        }
        catch (MailDeliveryException exception)
        {
            return GatewayError(loggers, "verified_status", exception);
        }
    }

    public static async Task<Results<Ok<FallbackConnectionResponse>, JsonHttpResult<NylasError>>> ConnectFallback(
        HttpContext http, ClaimsPrincipal user, OutboxBusDbContext db, IDataProtectionProvider dataProtection,
        [FromServices] SendGridFallback fallback, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (body, readError) = await JsonBody<ConnectFallbackRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(readError!);
        var apiKey = body.Value.ApiKey?.Trim();
        if (string.IsNullOrEmpty(apiKey))
            return NylasResults.BadRequest("api_key is required.");
        if (apiKey.Length > MaxApiKeyLength || apiKey.Any(char.IsWhiteSpace) || apiKey.Any(char.IsControl))
            return NylasResults.BadRequest($"api_key must be at most {MaxApiKeyLength} characters with no spaces or control characters.");

        // "Nylas confirms the grant when connecting to the service": a key SendGrid refuses is never stored, and the
        // answer already says whether the account's address may send through it.
        SenderVerification verification;
        try
        {
            verification = await fallback.GetVerificationAsync(user.Email(), cancellationToken, apiKey, maxAge: TimeSpan.Zero);
        }
        catch (MailDeliveryException exception) when (exception.Kind == FailureKind.Permanent)
        {
            return NylasResults.BadRequest($"SendGrid did not accept the key: {exception.Reason}.");
        }
        catch (MailDeliveryException exception)
        {
            return GatewayError(loggers, "subuser", exception);
        }

        var accountId = user.AccountId();
        await db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(
            s => s.SetProperty(a => a.SendGridApiKeyProtected, dataProtection.FallbackKeys().Protect(apiKey)), cancellationToken);
        return TypedResults.Ok(new FallbackConnectionResponse(user.Email(), true, verification.DomainVerified, verification.SenderVerified));
    }

    public static async Task<Results<Ok<FallbackConnectionResponse>, JsonHttpResult<NylasError>>> DisconnectFallback(
        HttpContext http, ClaimsPrincipal user, OutboxBusDbContext db, CancellationToken cancellationToken)
    {
        var (body, readError) = await JsonBody<DisconnectFallbackRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(readError!);
        var email = body.Value.Email?.Trim();
        if (string.IsNullOrEmpty(email))
            return NylasResults.BadRequest("email is required.");

        // Only the account's own connection, named by its own address: one account never touches another's.
        var accountId = user.AccountId();
        var removed = string.Equals(email, user.Email(), StringComparison.OrdinalIgnoreCase)
            ? await db.Accounts.Where(a => a.Id == accountId && a.SendGridApiKeyProtected != null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.SendGridApiKeyProtected, (string?)null), cancellationToken)
            : 0;
        return removed == 0
            ? NylasResults.NotFound($"No SendGrid connection for {email} on this account.")
            : TypedResults.Ok(new FallbackConnectionResponse(user.Email(), false, false, false));
    }

    static async Task<string?> OwnKeyAsync(OutboxBusDbContext db, IDataProtectionProvider dataProtection, string accountId,
        CancellationToken cancellationToken) =>
        dataProtection.UnprotectFallbackKey(await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => a.SendGridApiKeyProtected).SingleOrDefaultAsync(cancellationToken));

    /// <summary>SendGrid's fault or our configuration's, never the client's: a gateway error that says which.</summary>
    static JsonHttpResult<NylasError> GatewayError(ILoggerFactory loggers, string endpoint, MailDeliveryException exception)
    {
        loggers.CreateLogger(typeof(OnboardApi)).LogWarning(exception, "{Endpoint}: {Reason} ({Reply})", endpoint, exception.Reason,
            exception.Reply);
        return NylasResults.Error(StatusCodes.Status502BadGateway, $"The fallback service could not be asked: {exception.Reason}.",
            NylasError.ApiError);
    }
}
