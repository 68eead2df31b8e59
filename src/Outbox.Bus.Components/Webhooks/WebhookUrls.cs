namespace Outbox.Bus.Components.Webhooks;

/// <summary>The syntactic rules for a callback URL; where it points is <see cref="CallbackAddressGuard"/>'s business.</summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>An absolute http(s) URL with a host and without credentials, or an error that says what is wrong.</summary>
    public static bool TryParse(string? text, out Uri uri, out string error)
    {
        uri = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "callback_url is required.";
            return false;
        }
        if (text.Length > MaxLength)
        {
            error = $"callback_url must be at most {MaxLength} characters.";
            return false;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
        {
            error = "callback_url must be an absolute http or https URL.";
            return false;
        }
        if (string.IsNullOrEmpty(parsed.Host))
        {
            error = "callback_url must name a host.";
            return false;
        }
        // Credentials in a URL that clients can read back would be a secret kept in the clear.
        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            error = "callback_url must not contain a user name or password.";
            return false;
        }
        uri = parsed;
        error = "";
        return true;
    }
}
