using System.Security.Cryptography;
using System.Text;

namespace Outbox.Bus.Components.Accounts;

/// <summary>The Nylas applications this server accepts: each with the client id and secret its clients configure.</summary>
public sealed class ApplicationOptions
{
    public const string Section = "Applications";

    public List<ApplicationCredentials> Items { get; set; } = [];

    public ApplicationCredentials? Find(string? clientId) =>
        clientId is null ? null : Items.FirstOrDefault(a => string.Equals(a.ClientId, clientId, StringComparison.Ordinal));
}

public sealed class ApplicationCredentials
{
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";

    /// <summary>Constant-time, so the comparison does not tell an attacker how much of a guess was right.</summary>
    public bool SecretMatches(string? candidate) =>
        candidate is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(ClientSecret), Encoding.UTF8.GetBytes(candidate));
}
