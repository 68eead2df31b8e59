using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components.Accounts;

namespace Outbox.Bus.Api.Auth;

/// <summary>
/// The application management endpoints, <c>/a/{client_id}/…</c>: <c>Authorization: Basic base64("&lt;client_secret&gt;:")</c>,
/// as the Nylas SDKs send it. The secret must be that of the application the path names, so one application's secret
/// never opens another's resources; an unknown client id and a wrong secret look alike.
/// </summary>
public sealed class ClientSecretAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApplicationOptions> applications)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NylasClientSecret";
    public const string Policy = "application";
    public const string ClientIdClaim = "client_id";
    public const string ClientIdRouteValue = "client_id";

    /// <summary>Compared with when the path names no application, so the answer takes as long as for a real one.</summary>
    static readonly ApplicationCredentials Nobody = new() { ClientSecret = Convert.ToHexString(Guid.NewGuid().ToByteArray()) };

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        string secret;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            // The secret is the user name; the SDKs send an empty password, which is not checked.
            secret = colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("Malformed Basic credentials"));
        }

        var clientId = Context.GetRouteValue(ClientIdRouteValue) as string;
        var application = applications.Value.Find(clientId);
        var matches = (application ?? Nobody).SecretMatches(secret);
        if (application is null || !matches)
            return Task.FromResult(AuthenticateResult.Fail("Unknown application or wrong client secret"));

        var identity = new ClaimsIdentity([new Claim(ClientIdClaim, application.ClientId)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        NylasResults.Write(Context, StatusCodes.Status401Unauthorized,
            NylasError.Invalid("Could not verify access credential."));
}

public static class ClientSecretAuthenticationRegistration
{
    /// <summary>The scheme and the <see cref="ClientSecretAuthentication.Policy"/> policy the management endpoints require.</summary>
    public static IServiceCollection AddClientSecretAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ClientSecretAuthentication>(ClientSecretAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ClientSecretAuthentication.Policy,
                p => p.AddAuthenticationSchemes(ClientSecretAuthentication.SchemeName).RequireAuthenticatedUser());
        return services;
    }
}
