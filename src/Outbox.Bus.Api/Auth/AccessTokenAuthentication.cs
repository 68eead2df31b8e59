using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Api.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;access_token&gt;</c>: the token's hash must name an account and not be revoked. The
/// account id, address and name travel as claims so handlers need no second lookup.
/// </summary>
public sealed class AccessTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OutboxBusDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NylasAccessToken";
    public const string AccountIdClaim = "account_id";
    public const string EmailClaim = "email_address";
    public const string NameClaim = "name";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenOf(Request.Headers.Authorization.ToString());
        if (token is null)
            return AuthenticateResult.NoResult();
        if (token.Length is 0 or > 200)
            return AuthenticateResult.Fail("Malformed access token");

        var hash = Secrets.Hash(token);
        var account = await db.AccessTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => new { a.Id, a.EmailAddress, a.Name })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (account is null)
            return AuthenticateResult.Fail("Unknown or revoked access token");

        var identity = new ClaimsIdentity(
            [
                new Claim(AccountIdClaim, account.Id),
                new Claim(EmailClaim, account.EmailAddress),
                new Claim(NameClaim, account.Name ?? string.Empty),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Nylas clients send the token as <c>Bearer</c>, or as the Basic user name with an empty password
    /// (the Node SDK does so for <c>/job-statuses</c>).</summary>
    public static string? TokenOf(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            return string.Empty;
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        NylasResults.Write(Context, StatusCodes.Status401Unauthorized,
            NylasError.Invalid("Could not verify access credential."));
}

public static class AccountClaims
{
    public static string AccountId(this ClaimsPrincipal user) => user.FindFirstValue(AccessTokenAuthentication.AccountIdClaim)!;
    public static string Email(this ClaimsPrincipal user) => user.FindFirstValue(AccessTokenAuthentication.EmailClaim)!;
    public static string? Name(this ClaimsPrincipal user) =>
        user.FindFirstValue(AccessTokenAuthentication.NameClaim) is { Length: > 0 } name ? name : null;
}
