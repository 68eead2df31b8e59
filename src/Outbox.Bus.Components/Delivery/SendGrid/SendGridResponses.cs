using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Delivery.SendGrid;

/// <summary>Turns what SendGrid answers, or fails to answer, into the failure classes the saga decides on.</summary>
public static class SendGridResponses
{
    const int MaxReplyLength = 1000;

    /// <summary>The classification of a mail/send answer other than 2xx.</summary>
    public static MailDeliveryException Classify(int status, string? body, HttpResponseHeaders? headers, string fromEmail,
        DateTimeOffset now)
    {
        var messages = ErrorMessages(body);
        var reply = Reply(status, messages);
        switch (status)
        {
            case 429:
            {
                var until = RateLimitReset(headers, now);
                var reason = until is null
                    ? "SendGrid is rate limiting this service"
                    : $"SendGrid is rate limiting this service until {until.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
                var resetHint = RateLimitHeaders(headers);
                return new(FailureKind.Transient, reason, resetHint is null ? reply : $"{reply}; {resetHint}");
            }
            case 401 when messages.Any(m => m.Contains("credits", StringComparison.OrdinalIgnoreCase)):
                // "Maximum credits exceeded": the plan's quota, which refills; worth trying again later, unlike a bad key.
                return new(FailureKind.Transient, "SendGrid's sending credits are exhausted", reply);
            case 401:
                // Our own configuration is wrong, not the user's account: Permanent, never Authentication (which would
                // make the user re-authenticate a mailbox that is fine).
                return new(FailureKind.Permanent, "SendGrid rejected the API key", reply);
            case 403 when messages.Any(m => m.Contains("Sender Identity", StringComparison.OrdinalIgnoreCase)):
                // SendGrid's own check, for when RequireVerifiedSender is off or verification changed within the cache.
                return new(FailureKind.Permanent, NotVerified(fromEmail), reply);
            case 403:
                // A key without the Mail Send scope, or a block on the SendGrid account: both need someone to act.
                return new(FailureKind.Permanent, "SendGrid refused the request (check the API key's Mail Send permission)", reply);
            case 408:
                return new(FailureKind.Transient, "SendGrid timed out reading the request", reply);
            case >= 400 and < 500:
                return new(FailureKind.Permanent, $"SendGrid refused the message: {Summary(messages, status)}", reply);
            default:
                return new(FailureKind.Transient, $"SendGrid failed to accept the message ({status})", reply);
        }
    }

    /// <summary>For what happens before an answer: timeouts and network faults are transient.</summary>
    public static MailDeliveryException Classify(Exception exception) => exception switch
    {
        MailDeliveryException classified => classified,
        TaskCanceledException or TimeoutException =>
            new(FailureKind.Transient, "SendGrid did not answer in time", exception.Message, exception),
        HttpRequestException or IOException =>
            new(FailureKind.Transient, "Could not reach SendGrid", exception.Message, exception),
        _ => new(FailureKind.Transient, "Unexpected error while sending through SendGrid", exception.Message, exception),
    };

    public static string NotVerified(string fromEmail) => $"The sender {fromEmail} is not verified with the fallback service";

    /// <summary>When a 429 says the limit resets: <c>X-RateLimit-Reset</c> (Unix seconds) or <c>Retry-After</c>.</summary>
    public static DateTimeOffset? RateLimitReset(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        if (headers is null)
            return null;
        if (headers.TryGetValues("X-RateLimit-Reset", out var resets)
            && long.TryParse(resets.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        if (headers.RetryAfter?.Delta is { } delta)
            return now + delta;
        if (headers.RetryAfter?.Date is { } date)
            return date;
        return null;
    }

    /// <summary>The messages of SendGrid's <c>{"errors": [{"message", "field", "help"}]}</c>, field appended when given.</summary>
    public static IReadOnlyList<string> ErrorMessages(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return [];
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
                return [Truncate(body.Trim())];
            var messages = new List<string>();
            foreach (var error in errors.EnumerateArray())
            {
                var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                    ? m.GetString()
                    : null;
                var field = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String
                    ? f.GetString()
                    : null;
                if (!string.IsNullOrWhiteSpace(message))
                    messages.Add(string.IsNullOrEmpty(field) ? message : $"{message} ({field})");
            }
            return messages;
        }
        catch (JsonException)
        {
            // An HTML error page from a proxy in front of SendGrid, say: keep its start for whoever reads the job.
            return [Truncate(body.Trim())];
        }
    }

    public static string Reply(int status, IReadOnlyList<string> messages) =>
        Truncate(messages.Count == 0 ? status.ToString(CultureInfo.InvariantCulture) : $"{status} {string.Join("; ", messages)}");

    static string Summary(IReadOnlyList<string> messages, int status) =>
        messages.Count == 0 ? $"HTTP {status}" : Truncate(string.Join("; ", messages), 300);

    static string? RateLimitHeaders(HttpResponseHeaders? headers)
    {
        if (headers is null)
            return null;
        var parts = new List<string>();
        if (headers.TryGetValues("X-RateLimit-Reset", out var reset))
            parts.Add($"X-RateLimit-Reset: {string.Join(",", reset)}");
        if (headers.TryGetValues("Retry-After", out var retryAfter))
            parts.Add($"Retry-After: {string.Join(",", retryAfter)}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    static string Truncate(string text, int length = MaxReplyLength) => text.Length <= length ? text : text[..length] + "…";
}
