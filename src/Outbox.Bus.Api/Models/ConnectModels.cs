namespace Outbox.Bus.Api.Models;

public sealed record AuthorizeRequest(
    string? ClientId,
    string? Name,
    string? EmailAddress,
    string? Provider,
    ProviderSettings? Settings,
    string? Scopes);

/// <summary>Native-authentication settings for <c>imap</c> accounts; ports may arrive as numbers or strings.</summary>
public sealed record ProviderSettings(
    string? SmtpHost,
    [property: System.Text.Json.Serialization.JsonNumberHandling(System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString)] int? SmtpPort,
    string? SmtpUsername,
    string? SmtpPassword,
    bool? SslRequired,
    string? ImapHost,
    [property: System.Text.Json.Serialization.JsonNumberHandling(System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString)] int? ImapPort,
    string? ImapUsername,
    string? ImapPassword);

public sealed record AuthorizeResponse(string Code);

public sealed record TokenRequest(string? ClientId, string? ClientSecret, string? Code);

public sealed record TokenResponse(
    string AccessToken,
    string AccountId,
    string EmailAddress,
    string Provider,
    string TokenType,
    string Id,
    string Object,
    string? Name,
    string OrganizationUnit,
    string SyncState,
    long LinkedAt,
    string BillingState);

public sealed record RevokeResponse(bool Success);
