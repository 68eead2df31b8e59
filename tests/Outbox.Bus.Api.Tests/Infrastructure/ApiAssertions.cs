using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Outbox.Bus.Api.Tests.Infrastructure;

/// <summary>Shared assertions and small request helpers for the API tests (added beside the fixture, not in it).</summary>
public static class ApiAssertions
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ApiError = "api_error";

    /// <summary>The body every Nylas v2 error has: <c>{"message": "…", "type": "…"}</c> (plus <c>server_error</c> at most).</summary>
    public static async Task<JsonObject> AssertNylasError(this HttpResponseMessage response, int status, string type = InvalidRequest)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status,
            $"Expected HTTP {status}, got {(int)response.StatusCode} with body: '{text}'");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json",
            $"Expected an application/json error body, got '{response.Content.Headers.ContentType}' with body: '{text}'");

        JsonObject? body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        Assert.True(body is not null, $"Expected a Nylas error object, got: '{text}'");
        Assert.Equal(type, body!["type"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["message"]?.GetValue<string>()), $"The error has no message: {text}");
        Assert.All(body, p => Assert.Contains(p.Key, new[] { "message", "type", "server_error" }));
        return body;
    }

    /// <summary>The account has no job at all: nothing was created by the requests before.</summary>
    public static async Task AssertNoJobs(this Account account)
    {
        var jobs = await account.ListJobs();
        Assert.True(jobs.Count == 0, $"Expected no job, found: {jobs.ToJsonString()}");
    }

    public static async Task<JsonArray> ListJobs(this Account account, string query = "")
    {
        var response = await account.Http.GetAsync("/job-statuses" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"GET /job-statuses{query} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) as JsonArray ?? throw new InvalidOperationException($"Not a JSON array: {text}");
    }

    public static async Task<JsonObject> GetJob(this Account account, string jobId)
    {
        var response = await account.Http.GetAsync($"/job-statuses/{jobId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"GET /job-statuses/{jobId} answered {(int)response.StatusCode}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    public static Task<HttpResponseMessage> Update(this Account account, string method, string jobId, HttpContent content) =>
        account.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/v2/outbox/{jobId}") { Content = content });

    public static Task<HttpResponseMessage> Update(this Account account, string method, string jobId, JsonNode body) =>
        account.Update(method, jobId, Json.Body(body));

    public static Task<HttpResponseMessage> Cancel(this Account account, string jobId) =>
        account.Http.DeleteAsync($"/v2/outbox/{jobId}");

    /// <summary>A client that sends <c>Authorization: Basic base64("user:password")</c>, as the Nylas Node SDK does.</summary>
    public static HttpClient BasicClient(this OutboxBusApp app, string user, string password = "")
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public static HttpClient BearerClient(this OutboxBusApp app, string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static JsonArray Participants(params string[] emails) =>
        new(emails.Select(e => (JsonNode)new JsonObject { ["email"] = e }).ToArray());

    public static JsonArray Participant(string email, string? name) =>
        new(new JsonObject { ["email"] = email, ["name"] = name });

    /// <summary>(email, name) pairs of a participant list, for comparing what was sent with what was echoed.</summary>
    public static (string? Email, string? Name)[] People(this JsonNode? list) =>
        ((JsonArray)list!).Select(p => (p!["email"]?.GetValue<string>(), p["name"]?.GetValue<string>())).ToArray();

    public static void AssertNear(long expected, long actual, long tolerance = 2) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"Expected {expected} ± {tolerance}, got {actual}");

    public static void AssertSameJson(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"Expected: {expected?.ToJsonString() ?? "null"}\nActual:   {actual?.ToJsonString() ?? "null"}");

    public static string[] Keys(this JsonNode? node) => ((JsonObject)node!).Select(p => p.Key).Order().ToArray();

    public static string[] Ids(this JsonArray jobs) => jobs.Select(j => j!["job_status_id"]!.GetValue<string>()).ToArray();
}
