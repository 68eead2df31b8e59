using System.Security.Cryptography;
using System.Text;

namespace Outbox.Bus.Components.Webhooks;

/// <summary><c>X-Nylas-Signature</c>: HMAC-SHA256 of the raw body, keyed with the application's client secret.</summary>
public static class WebhookSignature
{
    public const string Header = "X-Nylas-Signature";

    /// <summary>Lowercase hex: the Nylas SDKs compare the strings case-sensitively.</summary>
    public static string Compute(string clientSecret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), body));
}
