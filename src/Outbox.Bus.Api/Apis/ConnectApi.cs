using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Auth;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Delivery;

namespace Outbox.Bus.Api.Apis;

/// <summary>Nylas native authentication: <c>/connect/authorize</c> gives a one-time code, <c>/connect/token</c> an access token.</summary>
public static class ConnectApi
{
    const int MaxSecretLength = 1024;

    public static IEndpointRouteBuilder MapConnectApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Accounts");
        group.MapPost("/connect/authorize", Authorize).WithSummary("Connect a mailbox; answers a one-time code");
        group.MapPost("/connect/token", Token).WithSummary("Exchange the code for an access token");
        group.MapPost("/oauth/revoke", Revoke).RequireAuthorization(OutboxBusApi.AccountPolicy)
            .WithSummary("Revoke the access token used for this request");
        return app;
    }

    public static async Task<Results<Ok<AuthorizeResponse>, JsonHttpResult<NylasError>>> Authorize(
        HttpContext http, OutboxBusDbContext db, IDataProtectionProvider dataProtection, IOptions<ApplicationOptions> applications,
        IOptions<PickupOptions> pickup, IOptions<ApiOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Nylas SDKs post these bodies as text/plain, so the body is read by hand whatever its content type.
        var (body, readError) = await JsonBody<AuthorizeRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(readError!);
        var request = body.Value;

        if (applications.Value.Find(request.ClientId) is null)
            return NylasResults.Error(StatusCodes.Status401Unauthorized, "Unknown client_id.");
        if (string.IsNullOrWhiteSpace(request.EmailAddress) || !OutboxRules.IsAddress(request.EmailAddress.Trim()))
            return NylasResults.BadRequest("email_address must be a valid email address.");
        if (request.Name is not null && (OutboxRules.HasLineBreak(request.Name) || request.Name.Length > 256))
            return NylasResults.BadRequest("name must be at most 256 characters with no CR or LF.");

        var provider = request.Provider?.Trim().ToLowerInvariant();
        var settings = request.Settings;
        switch (provider)
        {
            case "imap":
                if (settings is null || string.IsNullOrWhiteSpace(settings.SmtpHost))
                    return NylasResults.BadRequest("settings.smtp_host is required for the imap provider.");
                if (settings.SmtpPort is not (> 0 and <= 65535))
                    return NylasResults.BadRequest("settings.smtp_port must be a port number.");
                if (settings.ImapPort is not null and not (> 0 and <= 65535))
                    return NylasResults.BadRequest("settings.imap_port must be a port number.");
                if (new[] { settings.SmtpHost, settings.SmtpUsername, settings.ImapHost, settings.ImapUsername }
                    .Any(v => v is not null && (OutboxRules.HasLineBreak(v) || v.Length > 320)))
                    return NylasResults.BadRequest("settings hosts and user names must be at most 320 characters with no CR or LF.");
                if ((settings.SmtpPassword?.Length ?? 0) > MaxSecretLength || (settings.ImapPassword?.Length ?? 0) > MaxSecretLength)
                    return NylasResults.BadRequest("settings passwords are too long.");
                break;
            case "pickup":
                if (!pickup.Value.Enabled)
                    return NylasResults.BadRequest("The pickup provider is not enabled on this server.");
                break;
            default:
                return NylasResults.BadRequest("provider must be 'imap' (or 'pickup' where the server enables it).");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var email = request.EmailAddress.Trim();
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.ClientId == request.ClientId && a.EmailAddress == email, cancellationToken);
        if (account is null)
        {
            account = new Account { Id = PublicId.Format(Guid.NewGuid()), ClientId = request.ClientId!, EmailAddress = email, CreatedAt = now };
            db.Accounts.Add(account);
        }

        var protector = dataProtection.AccountPasswords();
        account.Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        account.Provider = provider;
        account.SmtpHost = settings?.SmtpHost?.Trim();
        account.SmtpPort = settings?.SmtpPort ?? 0;
        account.SmtpUsername = settings?.SmtpUsername;
        account.SmtpPasswordProtected = settings?.SmtpPassword is { } smtpPassword ? protector.Protect(smtpPassword) : null;
        account.SslRequired = settings?.SslRequired ?? false;
        account.ImapHost = settings?.ImapHost?.Trim();
        account.ImapPort = settings?.ImapPort;
        account.ImapUsername = settings?.ImapUsername;
        account.ImapPasswordProtected = settings?.ImapPassword is { } imapPassword ? protector.Protect(imapPassword) : null;
        // Connecting again is how an account recovers from an authentication failure.
        account.NeedsReauthentication = false;
        account.LinkedAt = now;

        var code = Secrets.NewToken();
        db.AuthorizationCodes.Add(new AuthorizationCode
        {
            CodeHash = Secrets.Hash(code),
            AccountId = account.Id,
            ClientId = account.ClientId,
            ExpiresAt = now + options.Value.AuthorizationCodeLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new AuthorizeResponse(code));
    }

    public static async Task<Results<Ok<TokenResponse>, JsonHttpResult<NylasError>>> Token(
        HttpContext http, OutboxBusDbContext db, IOptions<ApplicationOptions> applications, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (body, readError) = await JsonBody<TokenRequest>.Read(http);
        if (body is null)
            return NylasResults.BadRequest(readError!);
        var request = body.Value;

        var application = applications.Value.Find(request.ClientId);
        if (application is null || !application.SecretMatches(request.ClientSecret))
            return NylasResults.Error(StatusCodes.Status401Unauthorized, "Invalid client_id or client_secret.");
        if (string.IsNullOrEmpty(request.Code) || request.Code.Length > 200)
            return NylasResults.BadRequest("Invalid or expired code.");

        var now = clock.GetUtcNow().UtcDateTime;
        var hash = Secrets.Hash(request.Code);

        // Marking the code used and checking it is one statement, so two racing exchanges cannot both succeed.
        var claimed = await db.AuthorizationCodes
            .Where(c => c.CodeHash == hash && c.ClientId == application.ClientId && c.UsedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken);
        if (claimed != 1)
            return NylasResults.BadRequest("Invalid or expired code.");

        var accountId = await db.AuthorizationCodes.Where(c => c.CodeHash == hash).Select(c => c.AccountId).SingleAsync(cancellationToken);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == accountId, cancellationToken);

        var token = Secrets.NewToken();
        db.AccessTokens.Add(new AccessToken { TokenHash = Secrets.Hash(token), AccountId = account.Id, CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);

        return TypedResults.Ok(new TokenResponse(token, account.Id, account.EmailAddress, account.Provider, "bearer", account.Id,
            "account", account.Name, "folder", "running", JobViews.Unix(account.LinkedAt == default ? now : account.LinkedAt), "paid"));
    }

    public static async Task<Results<Ok<RevokeResponse>, JsonHttpResult<NylasError>>> Revoke(
        HttpContext http, ClaimsPrincipal user, OutboxBusDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(AccessTokenAuthentication.TokenOf(http.Request.Headers.Authorization.ToString()) ?? string.Empty);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.AccessTokens.Where(t => t.TokenHash == hash && t.AccountId == user.AccountId() && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        return TypedResults.Ok(new RevokeResponse(true));
    }
}
