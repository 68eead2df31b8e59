using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Outbox.Bus.Testing;

// A real HTTP server (Kestrel) on 127.0.0.1 that speaks the parts of SendGrid's v3 API the fallback uses:
//   POST /v3/mail/send            checks "Authorization: Bearer <ApiKey>", validates the payload like SendGrid
//                                 (TestSendGridValidation), records it and answers 202 with an X-Message-Id;
//   GET  /v3/verified_senders     {"results": [{"id", "from_email", "verified", …}]}, paged by limit / lastSeenID;
//   GET  /v3/whitelabel/domains   [{"id", "domain", "valid", …}], paged by limit / offset.
// Scriptable per path with RespondWith / RespondOnceWith (e.g. 400, 401, 429 with X-RateLimit-Reset, 500).
//
//   await using var sendGrid = await TestSendGridServer.StartAsync();
//   sendGrid.AddVerifiedSender("sender@example.com");
//   ... configure SendGrid:BaseUrl = sendGrid.BaseUrl, SendGrid:ApiKey = sendGrid.ApiKey, send ...
//   var message = await sendGrid.WaitForMessageAsync();
public sealed class TestSendGridServer : IAsyncDisposable
{
    public const string MailSendPath = "/v3/mail/send";
    public const string VerifiedSendersPath = "/v3/verified_senders";
    public const string DomainsPath = "/v3/whitelabel/domains";
    public const string DefaultApiKey = "SG.outbox-bus-test.key";

    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    readonly Lock _gate = new();
    readonly List<TestSendGridRequest> _requests = [];
    readonly List<TestSendGridMessage> _messages = [];
    readonly List<(long Id, string Email, bool Verified)> _senders = [];
    readonly List<(long Id, string Domain, bool Valid)> _domains = [];
    readonly ConcurrentDictionary<string, TestSendGridResponse> _responses = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentDictionary<string, ConcurrentQueue<TestSendGridResponse>> _onceResponses = new(StringComparer.OrdinalIgnoreCase);
    readonly WebApplication _app;
    long _nextId = 1;
    bool _disposed;

    TestSendGridServer(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    // The key requests must carry as "Authorization: Bearer <ApiKey>".
    public string ApiKey { get; }

    // http://127.0.0.1:<port>, what SendGrid:BaseUrl should be.
    public string BaseUrl { get; private set; } = "";

    public static async Task<TestSendGridServer> StartAsync(string apiKey = DefaultApiKey)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Test",
        });
        builder.Logging.ClearProviders();
        // Port 0: the OS picks a free port atomically, so parallel tests never collide.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        var app = builder.Build();
        var server = new TestSendGridServer(app, apiKey);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUrl = app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    // ---- scripting ----

    // Every later request to path gets this answer (instead of the normal one) until ClearResponses.
    public void RespondWith(int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null,
        string path = MailSendPath, TimeSpan? delay = null) =>
        _responses[path] = new TestSendGridResponse(status, body, headers, delay);

    // The next request to path gets this answer; queued answers come before RespondWith's.
    public void RespondOnceWith(int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null,
        string path = MailSendPath, TimeSpan? delay = null) =>
        _onceResponses.GetOrAdd(path, _ => new ConcurrentQueue<TestSendGridResponse>())
            .Enqueue(new TestSendGridResponse(status, body, headers, delay));

    // Back to the normal behaviour on every path.
    public void ClearResponses()
    {
        _responses.Clear();
        _onceResponses.Clear();
    }

    // A Single Sender identity (GET /v3/verified_senders lists both verified and pending ones, as SendGrid does).
    public void AddVerifiedSender(string email, bool verified = true)
    {
        lock (_gate)
            _senders.Add((_nextId++, email, verified));
    }

    // An authenticated domain (GET /v3/whitelabel/domains); valid=false is one whose DNS records do not check out yet.
    public void AddAuthenticatedDomain(string domain, bool valid = true)
    {
        lock (_gate)
            _domains.Add((_nextId++, domain, valid));
    }

    // SendGrid's error body, for scripted answers: {"errors": [{"message", "field", "help"}]}.
    public static string ErrorBody(params TestSendGridError[] errors) =>
        JsonSerializer.Serialize(new { errors = errors.Select(e => new { message = e.Message, field = e.Field, help = e.Help }) });

    // ---- what happened ----

    public IReadOnlyList<TestSendGridRequest> Requests
    {
        get
        {
            lock (_gate)
                return _requests.ToArray();
        }
    }

    // Accepted mail/send requests (202), in arrival order.
    public IReadOnlyList<TestSendGridMessage> Messages
    {
        get
        {
            lock (_gate)
                return _messages.ToArray();
        }
    }

    public int CountRequests(string path, string method = "GET")
    {
        lock (_gate)
            return _requests.Count(r => r.Path.Equals(path, StringComparison.OrdinalIgnoreCase)
                                        && r.Method.Equals(method, StringComparison.OrdinalIgnoreCase));
    }

    public int MailSendCount => CountRequests(MailSendPath, "POST");

    // Completes with the first accepted message that matches (including ones that arrived before the call).
    public async Task<TestSendGridMessage> WaitForMessageAsync(Func<TestSendGridMessage, bool>? predicate = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        predicate ??= _ => true;
        var limit = timeout ?? DefaultWaitTimeout;
        var started = DateTime.UtcNow;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Messages.FirstOrDefault(predicate) is { } message)
                return message;
            if (DateTime.UtcNow - started > limit)
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.###}s waiting for a mail/send on {BaseUrl}. {Describe()}");
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public string Describe()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{_requests.Count} request(s), {_messages.Count} accepted:");
            foreach (var r in _requests)
                text.Append(CultureInfo.InvariantCulture, $"\n  - {r.Method} {r.Path}{r.Query} -> {r.Status}");
            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // ---- the server ----

    async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? "/";
        JsonNode? body = null;
        var bodyIsJson = true;
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        {
            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                bodyIsJson = false;
            }
        }

        var (status, responseBody, headers, accepted, delay) = Answer(http, path, body, bodyIsJson);

        lock (_gate)
        {
            _requests.Add(new TestSendGridRequest(request.Method, path, request.QueryString.Value ?? "",
                request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, body, status, DateTimeOffset.UtcNow));
            if (accepted is not null)
                _messages.Add(accepted);
        }

        if (delay is { } wait)
        {
            try
            {
                await Task.Delay(wait, http.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up (its timeout) or the server is stopping: nobody reads the answer.
                return;
            }
        }

        http.Response.StatusCode = status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            http.Response.Headers[name] = value;
        if (responseBody is not null)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(responseBody, http.RequestAborted).ConfigureAwait(false);
        }
    }

    (int Status, string? Body, IReadOnlyDictionary<string, string>? Headers, TestSendGridMessage? Accepted, TimeSpan? Delay) Answer(
        HttpContext http, string path, JsonNode? body, bool bodyIsJson)
    {
        if (_onceResponses.TryGetValue(path, out var queue) && queue.TryDequeue(out var once))
            return (once.Status, once.Body, once.Headers, null, once.Delay);
        if (_responses.TryGetValue(path, out var scripted))
            return (scripted.Status, scripted.Body, scripted.Headers, null, scripted.Delay);

        var authorization = http.Request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
            return (401, ErrorBody(new TestSendGridError("authorization required")), null, null, null);
        if (!string.Equals(authorization, $"Bearer {ApiKey}", StringComparison.Ordinal))
            return (401, ErrorBody(new TestSendGridError("The provided authorization grant is invalid, expired, or revoked")), null, null, null);

        var method = http.Request.Method;
        if (path.Equals(MailSendPath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(method))
        {
            var errors = bodyIsJson ? TestSendGridValidation.Validate(body) : [new TestSendGridError("Bad Request")];
            if (errors.Count > 0)
                return (400, ErrorBody([.. errors]), null, null, null);
            var messageId = NewMessageId();
            return (202, null, new Dictionary<string, string> { ["X-Message-Id"] = messageId },
                new TestSendGridMessage(body!.AsObject(), messageId, DateTimeOffset.UtcNow), null);
        }
        if (path.Equals(VerifiedSendersPath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(method))
            return (200, VerifiedSenders(http.Request.Query), null, null, null);
        if (path.Equals(DomainsPath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(method))
            return (200, Domains(http.Request.Query), null, null, null);

        return (404, ErrorBody(new TestSendGridError("resource not found")), null, null, null);
    }

    string VerifiedSenders(IQueryCollection query)
    {
        var limit = Number(query["limit"], 100);
        var lastSeen = Number(query["lastSeenID"], 0);
        lock (_gate)
        {
            var page = _senders.Where(s => s.Id > lastSeen).OrderBy(s => s.Id).Take((int)limit).Select(s => new
            {
                s.Id,
                Nickname = s.Email,
                FromEmail = s.Email,
                FromName = "",
                ReplyTo = s.Email,
                ReplyToName = "",
                Address = "1 Test Street",
                Address2 = "",
                State = "",
                City = "Testville",
                Zip = "00000",
                Country = "USA",
                s.Verified,
                Locked = false,
            });
            return JsonSerializer.Serialize(new { Results = page }, Json);
        }
    }

    string Domains(IQueryCollection query)
    {
        var limit = Number(query["limit"], 100);
        var offset = Number(query["offset"], 0);
        var filter = query["domain"].ToString();
        lock (_gate)
        {
            var page = _domains
                .Where(d => filter.Length == 0 || d.Domain.Contains(filter, StringComparison.OrdinalIgnoreCase))
                .OrderBy(d => d.Id).Skip((int)offset).Take((int)limit).Select(d => new
                {
                    d.Id,
                    UserId = 1,
                    Subdomain = "em1234",
                    d.Domain,
                    Username = "outbox-bus",
                    Ips = Array.Empty<string>(),
                    CustomSpf = false,
                    Default = false,
                    Legacy = false,
                    AutomaticSecurity = true,
                    d.Valid,
                });
            return JsonSerializer.Serialize(page, Json);
        }
    }

    static long Number(Microsoft.Extensions.Primitives.StringValues value, long fallback) =>
        long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : fallback;

    // SendGrid's X-Message-Id: 22 URL-safe base64 characters.
    static string NewMessageId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
