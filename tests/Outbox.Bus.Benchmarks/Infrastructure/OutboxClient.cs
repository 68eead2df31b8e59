using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// Posts jobs as a Nylas client does: <c>POST /v2/outbox</c> with a Bearer token, spread round-robin over the connected
/// accounts and the API instances. Each call reports its status, the job_status_id and its latency.
/// </summary>
public sealed class OutboxClient : IDisposable
{
    // A typical transactional message: a few hundred bytes of HTML (the service derives the text part).
    static readonly string Html = "<html><body><h1>Your order has shipped</h1>" +
        string.Concat(Enumerable.Repeat("<p>Thank you for your order. Your parcel is on its way and should arrive within three working days. " +
                                        "You can follow it with the link below.</p>", 4)) +
        "<p><a href=\"https://example.com/track/123\">Track your parcel</a></p></body></html>";

    readonly HttpClient[] _apis;
    readonly IReadOnlyList<AccountToken> _accounts;
    long _next;

    public OutboxClient(IEnumerable<Uri> apis, IReadOnlyList<AccountToken> accounts)
    {
        _accounts = accounts;
        _apis = apis.Select(uri => new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 4096,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = uri,
            Timeout = TimeSpan.FromSeconds(60),
        }).ToArray();
    }

    public IReadOnlyList<AccountToken> Accounts => _accounts;
    public HttpClient Api(int index) => _apis[index % _apis.Length];

    /// <summary>Posts one job; <paramref name="sendAt"/> null means now. Never throws for HTTP-level failures.</summary>
    public async Task<PostResult> PostAsync(long? sendAt, string scenario, CancellationToken cancellationToken = default, int? account = null)
    {
        var n = Interlocked.Increment(ref _next);
        var owner = _accounts[account ?? (int)(n % _accounts.Count)];
        var http = _apis[(int)(n % _apis.Length)];

        var json = new StringBuilder(1024)
            .Append("{\"to\":[{\"email\":\"customer-").Append(n.ToString(CultureInfo.InvariantCulture))
            .Append("@example.net\",\"name\":\"Bench Customer\"}],\"subject\":\"Outbox.Bus benchmark ").Append(scenario).Append(' ')
            .Append(n.ToString(CultureInfo.InvariantCulture)).Append("\",\"body\":\"").Append(Html.Replace("\"", "\\\"", StringComparison.Ordinal))
            .Append('"');
        if (sendAt is { } at)
            json.Append(",\"send_at\":").Append(at.ToString(CultureInfo.InvariantCulture));
        json.Append('}');

        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/outbox")
        {
            Content = new StringContent(json.ToString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner.AccessToken);

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Accepted)
                return new PostResult((int)response.StatusCode, null, latency, Truncate(Encoding.UTF8.GetString(body)));
            using var document = JsonDocument.Parse(body);
            var id = document.RootElement.GetProperty("job_status_id").GetString();
            return new PostResult(202, id, latency, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return new PostResult(0, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"{e.GetType().Name}: {e.Message}");
        }
    }

    static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    public void Dispose()
    {
        foreach (var api in _apis)
            api.Dispose();
    }
}

public sealed record AccountToken(string AccountId, string Email, string AccessToken);

public readonly record struct PostResult(int Status, string? JobId, double LatencyMs, string? Error)
{
    public bool Accepted => Status == 202 && JobId is not null;
}
