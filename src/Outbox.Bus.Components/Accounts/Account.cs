namespace Outbox.Bus.Components.Accounts;

/// <summary>A connected mailbox. Passwords are stored only as Data Protection ciphertext.</summary>
public class Account
{
    public string Id { get; set; } = null!;
    public string ClientId { get; set; } = null!;
    public string EmailAddress { get; set; } = null!;
    public string? Name { get; set; }
    public string Provider { get; set; } = null!;

    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; }
    public string? SmtpUsername { get; set; }
    public string? SmtpPasswordProtected { get; set; }
    public bool SslRequired { get; set; }

    public string? ImapHost { get; set; }
    public int? ImapPort { get; set; }
    public string? ImapUsername { get; set; }
    public string? ImapPasswordProtected { get; set; }

    /// <summary>The account's own SendGrid API key for the fallback, as Data Protection ciphertext; the application's
    /// key (<c>SendGrid:ApiKey</c>) serves accounts without one.</summary>
    public string? SendGridApiKeyProtected { get; set; }

    /// <summary>Set when the provider refused the credentials; cleared by connecting the account again.</summary>
    public bool NeedsReauthentication { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime LinkedAt { get; set; }
}
