namespace Outbox.Bus.Components.Accounts;

/// <summary>Only the SHA-256 of a token is stored: a database leak does not leak working credentials.</summary>
public class AccessToken
{
    public string TokenHash { get; set; } = null!;
    public string AccountId { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
