namespace Outbox.Bus.Components.Delivery;

/// <summary>What a transport needs of an account, with its secrets already decrypted.</summary>
public sealed record MailAccount(
    string AccountId,
    string EmailAddress,
    string? Name,
    string Provider,
    string? SmtpHost,
    int SmtpPort,
    string? SmtpUsername,
    string? SmtpPassword,
    bool SslRequired);
