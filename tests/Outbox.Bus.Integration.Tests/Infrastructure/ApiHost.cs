using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Integration.Tests.Infrastructure;

/// <summary>The real API host in this process, configured like production (settings from <see cref="Deployment"/>).</summary>
public sealed class ApiHost(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Connects an <c>imap</c> account whose SMTP server is <paramref name="smtp"/>, as the Nylas SDK does.</summary>
    public async Task<Account> ConnectAsync(TestSmtpServer smtp, string email = "sender@example.com", string? smtpUsername = null,
        string? smtpPassword = null)
    {
        using var client = CreateClient();
        var authorize = await client.PostAsJsonAsync("/connect/authorize", new
        {
            client_id = Deployment.ClientId,
            name = "Sender",
            email_address = email,
            provider = "imap",
            scopes = "email.send",
            settings = new
            {
                smtp_host = smtp.Host,
                smtp_port = smtp.Port,
                smtp_username = smtpUsername,
                smtp_password = smtpPassword,
                ssl_required = false,
                imap_host = smtp.Host,
                imap_port = 143,
            },
        });
        await authorize.EnsureStatus(200, "POST /connect/authorize");
        var code = (await authorize.ReadObject()).Str("code");

        var token = await client.PostAsJsonAsync("/connect/token",
            new { client_id = Deployment.ClientId, client_secret = Deployment.ClientSecret, code });
        await token.EnsureStatus(200, "POST /connect/token");
        var body = await token.ReadObject();

        var http = CreateClient();
        http.Timeout = TimeSpan.FromSeconds(120);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("access_token"));
        return new Account(body.Str("account_id"), email, http);
    }
}

public sealed record Account(string Id, string Email, HttpClient Http);

public static class Json
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static JsonObject Message(string subject, string to = "bob@example.com") => new()
    {
        ["to"] = new JsonArray(new JsonObject { ["email"] = to, ["name"] = "Bob" }),
        ["subject"] = subject,
        ["body"] = $"<p>{subject}</p>",
    };

    public static async Task<JsonObject> ReadObject(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException($"Not a JSON object: {text}");
    }

    public static string Str(this JsonNode node, string name) =>
        node[name]?.GetValue<string>() ?? throw new InvalidOperationException($"No '{name}' in {node.ToJsonString()}");

    public static long Long(this JsonNode node, string name) => node[name]!.GetValue<long>();

    public static async Task EnsureStatus(this HttpResponseMessage response, int status, string what)
    {
        if ((int)response.StatusCode != status)
            throw new InvalidOperationException(
                $"{what} answered {(int)response.StatusCode}, expected {status}: {await response.Content.ReadAsStringAsync()}");
    }

    static StringContent Body(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary><c>POST /v2/outbox</c>: the 202 body (job_status_id, original_data, …).</summary>
    public static async Task<JsonObject> Send(this Account account, JsonObject message)
    {
        using var response = await account.Http.PostAsync("/v2/outbox", Body(message));
        await response.EnsureStatus(202, "POST /v2/outbox");
        return await response.ReadObject();
    }

    public static async Task<JsonObject> GetJob(this Account account, string jobId)
    {
        using var response = await account.Http.GetAsync($"/job-statuses/{jobId}");
        await response.EnsureStatus(200, $"GET /job-statuses/{jobId}");
        return await response.ReadObject();
    }

    /// <summary>This account's jobs (up to 1000), newest first.</summary>
    public static async Task<IReadOnlyList<JsonObject>> ListJobs(this Account account)
    {
        using var response = await account.Http.GetAsync("/job-statuses?limit=1000");
        await response.EnsureStatus(200, "GET /job-statuses");
        var text = await response.Content.ReadAsStringAsync();
        return (JsonNode.Parse(text) as JsonArray ?? throw new InvalidOperationException($"Not a JSON array: {text}"))
            .Select(j => j!.AsObject()).ToList();
    }

    public static Task<HttpResponseMessage> Update(this Account account, string jobId, JsonObject changes) =>
        account.Http.PatchAsync($"/v2/outbox/{jobId}", Body(changes));

    public static Task<HttpResponseMessage> Cancel(this Account account, string jobId) =>
        account.Http.DeleteAsync($"/v2/outbox/{jobId}");
}
