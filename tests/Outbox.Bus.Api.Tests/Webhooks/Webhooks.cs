using System.Text;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>Starting a host for the webhook tests and calling the management API the way the Nylas Node SDK does.</summary>
public static class Webhooks
{
    public const string OtherClientId = "other-app";
    public const string OtherClientSecret = "other-secret-9876543210";

    /// <summary>
    /// The API host with what webhook tests need: receivers on 127.0.0.1 allowed (unless a test says otherwise), a second
    /// application, a short timeout and retry delays of a few hundred milliseconds.
    /// </summary>
    public static Task<OutboxBusApp> StartAsync(IDictionary<string, string?>? settings = null, TestSmtpServerOptions? smtp = null,
        bool kestrel = false)
    {
        var values = new Dictionary<string, string?>
        {
            ["Applications:1:ClientId"] = OtherClientId,
            ["Applications:1:ClientSecret"] = OtherClientSecret,
            ["Webhooks:AllowLoopback"] = "true",
            ["Webhooks:Timeout"] = "00:00:02",
            ["Webhooks:RetryDelays:0"] = "00:00:00.200",
            ["Webhooks:RetryDelays:1"] = "00:00:00.300",
            ["Webhooks:RetryDelays:2"] = "00:00:00.500",
            ["Webhooks:RetryWindow"] = "00:01:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        return OutboxBusApp.StartAsync(values, smtp, kestrel);
    }

    /// <summary><c>Authorization: Basic base64("&lt;client_secret&gt;:")</c>, as the SDK sends it.</summary>
    public static HttpClient Management(this OutboxBusApp app, string secret = OutboxBusApp.ClientSecret) => app.BasicClient(secret);

    public static string Path(string clientId = OutboxBusApp.ClientId) => $"/a/{clientId}/webhooks";

    /// <summary>JSON with no Content-Type of its own: node-fetch sends it as <c>text/plain;charset=UTF-8</c>.</summary>
    public static StringContent SdkBody(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "text/plain");

    /// <summary>What <c>Nylas.webhooks.build({callbackUrl, triggers, state}).save()</c> posts.</summary>
    public static Task<HttpResponseMessage> Create(this HttpClient client, string callbackUrl, string[] triggers, string state = "active",
        string clientId = OutboxBusApp.ClientId) =>
        client.PostAsync(Path(clientId), SdkBody(new JsonObject
        {
            ["callback_url"] = callbackUrl,
            ["state"] = state,
            ["triggers"] = new JsonArray(triggers.Select(t => (JsonNode)t).ToArray()),
        }));

    /// <summary>Creates the webhook and returns its id; fails the test unless the API answered 200.</summary>
    public static async Task<string> Subscribe(this OutboxBusApp app, TestWebhookReceiver receiver, params string[] triggers)
    {
        using var client = app.Management();
        var response = await client.Create(receiver.Url, triggers);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"Creating the webhook answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.Str("id");
    }

    public static Task<HttpResponseMessage> Put(this HttpClient client, string id, JsonNode body, string clientId = OutboxBusApp.ClientId) =>
        client.PutAsync($"{Path(clientId)}/{id}", SdkBody(body));

    public static async Task<JsonObject> GetWebhook(this OutboxBusApp app, string id)
    {
        using var client = app.Management();
        var response = await client.GetAsync($"{Path()}/{id}");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.ReadObject();
    }

    public static async Task<JsonArray> ListWebhooks(this HttpClient client, string query = "", string clientId = OutboxBusApp.ClientId)
    {
        var response = await client.GetAsync(Path(clientId) + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"Listing answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) as JsonArray ?? throw new InvalidOperationException($"Not a JSON array: {text}");
    }

    public static async Task<JsonArray> Deliveries(this OutboxBusApp app, string id, string query = "")
    {
        using var client = app.Management();
        var response = await client.GetAsync($"{Path()}/{id}/deliveries{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"The delivery log answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) as JsonArray ?? throw new InvalidOperationException($"Not a JSON array: {text}");
    }

    /// <summary>Polls the webhook until it is in <paramref name="state"/>.</summary>
    public static async Task<JsonObject> WaitForWebhookState(this OutboxBusApp app, string id, string state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        JsonObject last;
        do
        {
            last = await app.GetWebhook(id);
            if (last.Str("state") == state)
                return last;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Webhook {id} did not become '{state}': {last.ToJsonString()}");
    }

    /// <summary>Polls the delivery log until it has <paramref name="count"/> attempts.</summary>
    public static async Task<JsonArray> WaitForDeliveries(this OutboxBusApp app, string id, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        JsonArray last;
        do
        {
            last = await app.Deliveries(id);
            if (last.Count >= count)
                return last;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Webhook {id} has {last.Count} attempt(s), not {count}: {last.ToJsonString()}");
    }
}
