using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Outbox.Bus.Components.Accounts;

public static class Secrets
{
    /// <summary>The Data Protection purpose for provider passwords; changing it makes stored passwords unreadable.</summary>
    public const string AccountPasswordPurpose = "Outbox.Bus.Accounts.Password.v1";

    public static IDataProtector AccountPasswords(this IDataProtectionProvider provider) =>
        provider.CreateProtector(AccountPasswordPurpose);

    /// <summary>A purpose of its own, so a password ciphertext can never be passed off as an API key or the reverse.</summary>
    public const string FallbackKeyPurpose = "Outbox.Bus.Accounts.SendGridKey.v1";

    public static IDataProtector FallbackKeys(this IDataProtectionProvider provider) =>
        provider.CreateProtector(FallbackKeyPurpose);

    /// <summary>An account's own SendGrid key from its stored ciphertext; null when it has none.</summary>
    public static string? UnprotectFallbackKey(this IDataProtectionProvider provider, string? protectedKey) =>
        protectedKey is null ? null : provider.FallbackKeys().Unprotect(protectedKey);

    /// <summary>A fresh bearer credential: 256 random bits, URL-safe.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
