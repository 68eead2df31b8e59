using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Contracts;
using global::SendGrid;

namespace Outbox.Bus.Components.Delivery.SendGrid;

/// <summary>Whether SendGrid will let an address send: as a verified Single Sender, or within an authenticated domain.</summary>
public sealed record SenderVerification(bool DomainVerified, bool SenderVerified)
{
    /// <summary>SendGrid accepts a From that passes either check.</summary>
    public bool IsVerified => DomainVerified || SenderVerified;
}

/// <summary>
/// The edge to SendGrid: one <c>mail/send</c> per call, never retried here (the saga decides about retries), and the
/// sender and domain verification lookups behind <c>/v2/outbox/onboard/verified_status</c>. Failures are thrown as
/// <see cref="MailDeliveryException"/>, classified like the SMTP route's.
/// </summary>
public sealed class SendGridFallback(
    IHttpClientFactory httpClients,
    IOptions<SendGridOptions> options,
    TimeProvider clock,
    ILogger<SendGridFallback> logger)
{
    public const string HttpClientName = "SendGrid";
    public const string Route = "sendgrid";

    // SendGrid pages both lists; a hundred per page and a bound on pages keeps a runaway listing from looping forever.
    const int PageSize = 100;
    const int MaxPages = 50;

    readonly Lock _gate = new();
    readonly Dictionary<string, Task<VerificationSnapshot>> _verification = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> _rateLimitedUntil = new(StringComparer.Ordinal);

    public bool IsConfigured => options.Value.IsConfigured;

    /// <summary>Sends one attempt through SendGrid.</summary>
    /// <param name="apiKey">An account's own key; the application-level <see cref="SendGridOptions.ApiKey"/> when null.</param>
    /// <param name="trackHtml">Adds the job's tracking to the HTML part, as on the SMTP route.</param>
    /// <returns>SendGrid's <c>X-Message-Id</c> for the accepted message, when it gives one.</returns>
    public async Task<string?> SendAsync(DeliverViaFallback delivery, CancellationToken cancellationToken, string? apiKey = null,
        Func<string, string>? trackHtml = null)
    {
        var key = KeyOf(apiKey);
        var message = SendGridMessages.Build(delivery, trackHtml);
        var from = delivery.Message.From[0].Email;

        // Honour a 429 for every job, not just the one that met it: calling again before the reset only earns more 429s.
        if (_rateLimitedUntil.TryGetValue(key, out var until) && clock.GetUtcNow() < until)
            throw new MailDeliveryException(FailureKind.Transient,
                $"SendGrid is rate limiting this service until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z",
                "Not sent: backing off after a 429 from SendGrid");

        if (options.Value.RequireVerifiedSender)
        {
            var verification = await GetVerificationAsync(from, cancellationToken, key);
            if (!verification.IsVerified)
                throw new MailDeliveryException(FailureKind.Permanent, SendGridResponses.NotVerified(from),
                    "Neither a verified Single Sender nor in an authenticated domain of the SendGrid account");
        }

        Response response;
        try
        {
            response = await Client(key).SendEmailAsync(message, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SendGridResponses.Classify(exception);
        }

        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            response.Body?.Dispose();
            _rateLimitedUntil.TryRemove(key, out _);
            return response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null;
        }

        var body = await ReadAsync(response, cancellationToken);
        var now = clock.GetUtcNow();
        if (status == 429 && SendGridResponses.RateLimitReset(response.Headers, now) is { } reset && reset > now)
        {
            var capped = reset - now > options.Value.MaxRateLimitBackOff ? now + options.Value.MaxRateLimitBackOff : reset;
            _rateLimitedUntil[key] = capped;
        }
        logger.LogDebug("SendGrid answered {Status} to mail/send", status);
        throw SendGridResponses.Classify(status, body, response.Headers, from, now);
    }

    /// <summary>Whether <paramref name="fromEmail"/> is a verified Single Sender, and whether its domain is authenticated.</summary>
    /// <param name="maxAge">How old a cached answer may be; <see cref="SendGridOptions.VerificationCacheDuration"/> when null.
    /// The onboarding endpoint asks for a fresher one, since a user checks it right after clicking the verification link.</param>
    public async Task<SenderVerification> GetVerificationAsync(string fromEmail, CancellationToken cancellationToken,
        string? apiKey = null, TimeSpan? maxAge = null)
    {
        var key = KeyOf(apiKey);
        var snapshot = await SnapshotAsync(key, maxAge ?? options.Value.VerificationCacheDuration, cancellationToken);
        var at = fromEmail.LastIndexOf('@');
        var domain = at >= 0 ? fromEmail[(at + 1)..] : string.Empty;
        return new SenderVerification(
            DomainVerified: domain.Length > 0 && snapshot.Domains.Contains(domain),
            SenderVerified: snapshot.Senders.Contains(fromEmail));
    }

    string KeyOf(string? apiKey)
    {
        var key = string.IsNullOrWhiteSpace(apiKey) ? options.Value.ApiKey : apiKey;
        return string.IsNullOrWhiteSpace(key)
            ? throw new MailDeliveryException(FailureKind.Permanent, "No fallback service is configured (SendGrid:ApiKey, or a key of the account's own)")
            : key.Trim();
    }

    // The SendGrid client is a thin wrapper; the HttpClient under it comes from the factory, so connections are pooled
    // and the timeout is the configured one. Without the package's retry handler: one request per attempt.
    SendGridClient Client(string key) =>
        new(httpClients.CreateClient(HttpClientName), new SendGridClientOptions { ApiKey = key, Host = options.Value.BaseUrl });

    // ---- verification, cached per API key ----

    sealed record VerificationSnapshot(DateTimeOffset FetchedAt, HashSet<string> Senders, HashSet<string> Domains);

    async Task<VerificationSnapshot> SnapshotAsync(string key, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        Task<VerificationSnapshot> fetch;
        lock (_gate)
        {
            // A fetch in flight is shared: a burst of fallback sends after a cold start asks SendGrid once.
            if (_verification.TryGetValue(key, out var existing)
                && (!existing.IsCompleted || (existing.IsCompletedSuccessfully && clock.GetUtcNow() - existing.Result.FetchedAt <= maxAge)))
                fetch = existing;
            else
                _verification[key] = fetch = FetchAsync(key);
        }

        try
        {
            // One caller giving up must not cancel the fetch the others wait for; the HttpClient timeout bounds it.
            return await fetch.WaitAsync(cancellationToken);
        }
        catch (Exception) when (fetch.IsFaulted)
        {
            // Failures are not cached: the next attempt asks again.
            lock (_gate)
            {
                if (_verification.TryGetValue(key, out var current) && current == fetch)
                    _verification.Remove(key);
            }
            throw;
        }
    }

    async Task<VerificationSnapshot> FetchAsync(string key)
    {
        var fetchedAt = clock.GetUtcNow();
        var client = Client(key);
        var senders = VerifiedSendersAsync(client);
        var domains = AuthenticatedDomainsAsync(client);
        await Task.WhenAll(senders, domains);
        logger.LogDebug("SendGrid has {Senders} verified sender(s) and {Domains} authenticated domain(s)",
            senders.Result.Count, domains.Result.Count);
        return new VerificationSnapshot(fetchedAt, senders.Result, domains.Result);
    }

    // GET /v3/verified_senders → {"results": [{"id", "from_email", "verified", …}]}, paged by limit and lastSeenID.
    static async Task<HashSet<string>> VerifiedSendersAsync(SendGridClient client)
    {
        var verified = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long? lastSeen = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var query = lastSeen is null
                ? $$"""{"limit": {{PageSize}}}"""
                : $$"""{"limit": {{PageSize}}, "lastSeenID": {{lastSeen}}}""";
            using var document = await GetJsonAsync(client, "verified_senders", query);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                throw Unexpected("verified_senders");

            var count = 0;
            foreach (var sender in results.EnumerateArray())
            {
                count++;
                if (sender.ValueKind != JsonValueKind.Object)
                    continue;
                if (sender.TryGetProperty("id", out var id) && id.TryGetInt64(out var value))
                    lastSeen = Math.Max(lastSeen ?? value, value);
                if (sender.TryGetProperty("verified", out var isVerified) && isVerified.ValueKind == JsonValueKind.True
                    && sender.TryGetProperty("from_email", out var email) && email.GetString() is { Length: > 0 } address)
                    verified.Add(address.Trim());
            }
            if (count < PageSize || lastSeen is null)
                break;
        }
        return verified;
    }

    // GET /v3/whitelabel/domains → [{"id", "domain", "subdomain", "valid", …}], paged by limit and offset.
    static async Task<HashSet<string>> AuthenticatedDomainsAsync(SendGridClient client)
    {
        var valid = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var page = 0; page < MaxPages; page++)
        {
            var query = $$"""{"limit": {{PageSize}}, "offset": {{page * PageSize}}}""";
            using var document = await GetJsonAsync(client, "whitelabel/domains", query);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw Unexpected("whitelabel/domains");

            var count = 0;
            foreach (var domain in document.RootElement.EnumerateArray())
            {
                count++;
                if (domain.ValueKind == JsonValueKind.Object
                    && domain.TryGetProperty("valid", out var isValid) && isValid.ValueKind == JsonValueKind.True
                    && domain.TryGetProperty("domain", out var name) && name.GetString() is { Length: > 0 } text)
                    valid.Add(text.Trim().TrimEnd('.'));
            }
            if (count < PageSize)
                break;
        }
        return valid;
    }

    static async Task<JsonDocument> GetJsonAsync(SendGridClient client, string path, string query)
    {
        Response response;
        try
        {
            response = await client.RequestAsync(BaseClient.Method.GET, queryParams: query, urlPath: path);
        }
        catch (Exception exception)
        {
            var failure = SendGridResponses.Classify(exception);
            throw new MailDeliveryException(failure.Kind, "Could not ask SendGrid whether the sender is verified", failure.Reply, exception);
        }

        var status = (int)response.StatusCode;
        var body = await ReadAsync(response, CancellationToken.None);
        if (status is >= 200 and < 300)
        {
            try
            {
                return JsonDocument.Parse(body ?? string.Empty);
            }
            catch (JsonException exception)
            {
                throw new MailDeliveryException(FailureKind.Transient, $"SendGrid answered {path} with something other than JSON",
                    exception.Message, exception);
            }
        }

        var reply = SendGridResponses.Reply(status, SendGridResponses.ErrorMessages(body));
        throw status switch
        {
            401 => new MailDeliveryException(FailureKind.Permanent, "SendGrid rejected the API key", reply),
            // A key restricted to Mail Send cannot read verification; say what to change rather than "forbidden".
            403 => new MailDeliveryException(FailureKind.Permanent,
                "The SendGrid API key may not read sender verification: give it read access to Sender Authentication, or set SendGrid:RequireVerifiedSender to false",
                reply),
            408 or 429 or >= 500 => new MailDeliveryException(FailureKind.Transient,
                $"Could not ask SendGrid whether the sender is verified ({status})", reply),
            _ => new MailDeliveryException(FailureKind.Permanent, $"SendGrid answered {status} to {path} (check SendGrid:BaseUrl)", reply),
        };
    }

    static MailDeliveryException Unexpected(string path) =>
        new(FailureKind.Transient, $"SendGrid answered {path} in an unexpected shape");

    static async Task<string?> ReadAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.Body is not { } content)
            return null;
        try
        {
            return await content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // The status already says what happened; a body cut short only loses detail.
            return null;
        }
        finally
        {
            content.Dispose();
        }
    }
}
