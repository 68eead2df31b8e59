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

// A real HTTP server (Kestrel) on 127.0.0.1 playing a webhook subscriber:
//   GET  <path>?challenge=X   answers 200 with X as the body (the Nylas endpoint verification), unless scripted;
//   POST <path>               records the raw body bytes and headers, checks X-Nylas-Signature against ClientSecret
//                             (lowercase hex HMAC-SHA256 of the raw body, as the Nylas SDKs do) and answers 200,
//                             unless scripted (RespondWith / RespondOnceWith / RespondTimes: 500s, 410, a delay past
//                             the caller's timeout, a redirect…).
// Every request is recorded, whatever was answered.
//
//   await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
//   receiver.RespondTimes(2, 500);
//   ... create a webhook with callback_url = receiver.Url, make a job change status ...
//   var notification = await receiver.WaitForNotificationAsync();
//   Assert.True(notification.SignatureValid);
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    public const string DefaultPath = "/webhook";
    public const string SignatureHeader = "X-Nylas-Signature";

    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(15);

    readonly Lock _gate = new();
    readonly List<TestWebhookRequest> _requests = [];
    readonly ConcurrentQueue<TestWebhookResponse> _once = new();
    readonly CancellationTokenSource _stopping = new();
    readonly WebApplication _app;
    TestWebhookResponse? _always;
    TestWebhookResponse? _challengeAnswer;
    bool _disposed;

    TestWebhookReceiver(WebApplication app, string clientSecret, string path)
    {
        _app = app;
        ClientSecret = clientSecret;
        Path = path;
    }

    // The key signatures are checked with (the application's client secret).
    public string ClientSecret { get; }

    public string Path { get; }

    // http://127.0.0.1:<port>
    public string BaseUrl { get; private set; } = "";

    // What a subscription's callback_url should be.
    public string Url => BaseUrl + Path;

    public int Port => new Uri(BaseUrl).Port;

    public static async Task<TestWebhookReceiver> StartAsync(string clientSecret, string path = DefaultPath)
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
        var receiver = new TestWebhookReceiver(app, clientSecret, path);
        app.Run(receiver.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        receiver.BaseUrl = app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    // ---- scripting (notifications: POST) ----

    // Every later notification gets this answer (after any queued RespondOnceWith answers) until ClearResponses.
    public void RespondWith(int status, TimeSpan? delay = null, IReadOnlyDictionary<string, string>? headers = null) =>
        _always = new TestWebhookResponse(status, null, headers, delay);

    // The next notification gets this answer.
    public void RespondOnceWith(int status, TimeSpan? delay = null, IReadOnlyDictionary<string, string>? headers = null) =>
        _once.Enqueue(new TestWebhookResponse(status, null, headers, delay));

    // The next count notifications get this answer, then the normal one (200) again.
    public void RespondTimes(int count, int status, TimeSpan? delay = null)
    {
        for (var i = 0; i < count; i++)
            RespondOnceWith(status, delay);
    }

    // ---- scripting (the challenge: GET ?challenge=X) ----

    // Every later challenge gets this answer instead of 200 with X: e.g. (200, "wrong") or (404, null).
    // body null means "echo the challenge" (so a bare delay or status can be scripted).
    public void AnswerChallengesWith(int status, string? body = null, TimeSpan? delay = null) =>
        _challengeAnswer = new TestWebhookResponse(status, body, null, delay);

    // Back to the normal behaviour: challenges echoed, notifications answered 200.
    public void ClearResponses()
    {
        _always = null;
        _challengeAnswer = null;
        _once.Clear();
    }

    // ---- what happened ----

    public IReadOnlyList<TestWebhookRequest> Requests
    {
        get
        {
            lock (_gate)
                return _requests.ToArray();
        }
    }

    // The POSTs, in arrival order.
    public IReadOnlyList<TestWebhookRequest> Notifications => Requests.Where(r => r.Method == "POST").ToArray();

    // The GETs carrying a challenge, in arrival order.
    public IReadOnlyList<TestWebhookRequest> Challenges => Requests.Where(r => r.Method == "GET" && r.Challenge is not null).ToArray();

    // Completes with the first notification that matches (including ones that arrived before the call).
    public async Task<TestWebhookRequest> WaitForNotificationAsync(Func<TestWebhookRequest, bool>? predicate = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        predicate ??= _ => true;
        var found = await WaitAsync(() => Notifications.FirstOrDefault(predicate), "a matching notification", timeout, cancellationToken)
            .ConfigureAwait(false);
        return found;
    }

    // Completes once at least count notifications have arrived; returns them all.
    public async Task<IReadOnlyList<TestWebhookRequest>> WaitForNotificationsAsync(int count, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        await WaitAsync(() => Notifications.Count >= count ? "" : null, $"{count} notification(s)", timeout, cancellationToken)
            .ConfigureAwait(false);
        return Notifications;
    }

    async Task<T> WaitAsync<T>(Func<T?> probe, string what, TimeSpan? timeout, CancellationToken cancellationToken)
        where T : class
    {
        var limit = timeout ?? DefaultWaitTimeout;
        var started = DateTime.UtcNow;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (probe() is { } value)
                return value;
            if (DateTime.UtcNow - started > limit)
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.###}s waiting for {what} on {Url}. {Describe()}");
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public string Describe()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{_requests.Count} request(s):");
            foreach (var r in _requests)
                text.Append(CultureInfo.InvariantCulture,
                    $"\n  - {r.ReceivedAt:HH:mm:ss.fff} {r.Method} {r.Path}{r.Query} -> {r.Status}{(r.Method == "POST" ? $" signature {(r.SignatureValid ? "valid" : "INVALID")}" : "")}");
            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        // Delayed answers are abandoned, so stopping never waits for them.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    // ---- the server ----

    async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
        var bytes = body.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var challenge = HttpMethods.IsGet(request.Method) ? request.Query["challenge"].FirstOrDefault() : null;

        TestWebhookResponse answer;
        if (challenge is not null)
            answer = _challengeAnswer is { } scripted
                ? scripted with { Body = scripted.Body ?? challenge }
                : new TestWebhookResponse(200, challenge);
        else if (HttpMethods.IsPost(request.Method))
            answer = _once.TryDequeue(out var once) ? once : _always ?? new TestWebhookResponse(200);
        else
            answer = new TestWebhookResponse(405);

        var signature = headers.GetValueOrDefault(SignatureHeader);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret), bytes));
        lock (_gate)
            _requests.Add(new TestWebhookRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? "", headers,
                bytes, answer.Status, DateTimeOffset.UtcNow, challenge, signature is not null && string.Equals(signature, expected, StringComparison.Ordinal)));

        if (answer.Delay is { } delay)
        {
            using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(delay, abandoned.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up (its timeout) or the receiver is stopping: nobody reads the answer.
                return;
            }
        }

        http.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            http.Response.Headers[name] = value;
        if (answer.Body is not null)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(answer.Body, http.RequestAborted).ConfigureAwait(false);
        }
    }
}

// One request the receiver got, whatever it answered. Body is the raw bytes, exactly as sent (and signed).
public sealed record TestWebhookRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    int Status,
    DateTimeOffset ReceivedAt,
    string? Challenge,
    bool SignatureValid)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Signature => Headers.GetValueOrDefault(TestWebhookReceiver.SignatureHeader);

    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    // The body parsed as JSON (null if it is not JSON).
    public JsonNode? Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    // deltas[0], the one delta every job notification has.
    public JsonObject Delta => Json!["deltas"]!.AsArray()[0]!.AsObject();
}

// A scripted answer. Body null: none (for a challenge: the echo). Delay holds the answer back, to make the caller time out.
public sealed record TestWebhookResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan? Delay = null);
