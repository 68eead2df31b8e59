using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Outbox.Bus.Testing;

// A fresh, empty RabbitMQ virtual host on the real broker the test command starts, created through the management
// HTTP API with full permissions for the test user and deleted again on dispose (which also closes every connection
// still using it), so tests never see each other's queues or messages. The broker comes from OUTBOX_TEST_RABBITMQ
// (amqp://user:password@host:port/); the management API is http://host:15672 with the same credentials unless
// OUTBOX_TEST_RABBITMQ_MANAGEMENT says otherwise.
//
//   await using var vhost = await RabbitMqVirtualHost.CreateAsync();
//   ... configure Transport:RabbitMq:* from vhost.Settings ...
//   var queues = await vhost.GetQueuesAsync();
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    public const string Variable = "OUTBOX_TEST_RABBITMQ";
    public const string ManagementVariable = "OUTBOX_TEST_RABBITMQ_MANAGEMENT";
    const string Default = "amqp://guest:guest@127.0.0.1:5672/";

    readonly HttpClient _management;
    bool _disposed;

    RabbitMqVirtualHost(HttpClient management, string name, string host, int port, string username, string password)
    {
        _management = management;
        Name = name;
        Host = host;
        Port = port;
        Username = username;
        Password = password;
    }

    public string Name { get; }
    public string Host { get; }
    public int Port { get; }
    public string Username { get; }
    public string Password { get; }

    public Uri ManagementUrl => _management.BaseAddress!;

    // The application's configuration keys for this virtual host (Transport:Kind and Transport:RabbitMq:*).
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Transport:Kind"] = "RabbitMq",
        ["Transport:RabbitMq:Host"] = Host,
        ["Transport:RabbitMq:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Transport:RabbitMq:VirtualHost"] = Name,
        ["Transport:RabbitMq:Username"] = Username,
        ["Transport:RabbitMq:Password"] = Password,
    };

    public static async Task<RabbitMqVirtualHost> CreateAsync(string prefix = "outbox-test")
    {
        var broker = new Uri(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured ? configured : Default);
        var credentials = broker.UserInfo.Split(':', 2);
        var username = Uri.UnescapeDataString(credentials[0] is { Length: > 0 } user ? user : "guest");
        var password = Uri.UnescapeDataString(credentials.Length > 1 ? credentials[1] : "guest");
        var port = broker.IsDefaultPort || broker.Port <= 0 ? 5672 : broker.Port;
        var managementUrl = Environment.GetEnvironmentVariable(ManagementVariable) is { Length: > 0 } management
            ? new Uri(management.TrimEnd('/') + "/")
            : new Uri($"http://{broker.Host}:15672/");

        var http = new HttpClient { BaseAddress = managementUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

        var name = $"{prefix}-{Guid.NewGuid():n}";
        var vhost = new RabbitMqVirtualHost(http, name, broker.Host, port, username, password);
        try
        {
            await vhost.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", new JsonObject()).ConfigureAwait(false);
            await vhost.PutAsync($"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(username)}",
                new JsonObject { ["configure"] = ".*", ["write"] = ".*", ["read"] = ".*" }).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            http.Dispose();
            throw new InvalidOperationException(
                $"Cannot create a virtual host through the RabbitMQ management API at {managementUrl} ({exception.Message}). " +
                $"Run ./test.sh, which starts RabbitMQ with the management plugin, or set {Variable} / {ManagementVariable}.",
                exception);
        }
        return vhost;
    }

    // GET /api/queues/{vhost}: name, consumers, messages, durable, auto_delete, … per queue.
    public Task<JsonArray> GetQueuesAsync() => GetArrayAsync($"api/queues/{Uri.EscapeDataString(Name)}");

    // GET /api/exchanges/{vhost}: name, type, durable, … per exchange (the default exchange has the name "").
    public Task<JsonArray> GetExchangesAsync() => GetArrayAsync($"api/exchanges/{Uri.EscapeDataString(Name)}");

    async Task<JsonArray> GetArrayAsync(string path)
    {
        using var response = await _management.GetAsync(path).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {ManagementUrl}{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) as JsonArray ?? throw new InvalidOperationException($"GET {ManagementUrl}{path}: not a JSON array: {text}");
    }

    async Task PutAsync(string path, JsonNode body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _management.PutAsync(path, content).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException(
                $"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}",
                null, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            using var response = await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}").ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
                throw new InvalidOperationException(
                    $"DELETE api/vhosts/{Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
        finally
        {
            _management.Dispose();
        }
    }
}
