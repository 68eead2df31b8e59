namespace Outbox.Bus.Components.Accounts;

/// <summary>A one-time code from <c>/connect/authorize</c>, exchanged once for an access token.</summary>
public class AuthorizationCode
{
    public string CodeHash { get; set; } = null!;
    public string AccountId { get; set; } = null!;
    public string ClientId { get; set; } = null!;
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}
