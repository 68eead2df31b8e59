using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Infrastructure;

/// <summary>
/// The real API host (every role, in-memory transport, SQLite in a fresh temporary directory) with a real SMTP server
/// beside it. One per test: nothing is shared between tests.
/// </summary>
public sealed class OutboxBusApp : WebApplicationFactory<Program>
{
    public const string ClientId = "test-app";
    public const string ClientSecret = "test-secret-0123456789";

    readonly Dictionary<string, string?> _settings;

    OutboxBusApp(TestSmtpServer smtp, string dataDirectory, IDictionary<string, string?>? settings)
    {
        Smtp = smtp;
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Applications:0:ClientId"] = ClientId,
            ["Applications:0:ClientSecret"] = ClientSecret,
            ["Pickup:Enabled"] = "true",
            // Short intervals instead of real ones: tests never sleep through minutes.
            ["Jobs:FirstRetryInterval"] = "00:00:00.300",
            ["Jobs:RetryMultiplier"] = "2",
            ["Jobs:MaxRetryInterval"] = "00:00:01",
            ["Jobs:UpdateLockWindow"] = "00:00:05",
            ["Api:SendNowTimeout"] = "00:00:15",
            ["Api:ClockTolerance"] = "00:00:05",
            ["Smtp:CommandTimeout"] = "00:00:05",
            ["Outbox:QueryDelay"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public TestSmtpServer Smtp { get; }
    public string DataDirectory { get; }

    /// <param name="kestrel">Listen on a real loopback port (for clients outside this process) instead of the in-memory test server.</param>
    public static async Task<OutboxBusApp> StartAsync(IDictionary<string, string?>? settings = null, TestSmtpServerOptions? smtp = null,
        bool kestrel = false)
    {
        var server = await TestSmtpServer.StartAsync(smtp);
        var directory = Path.Combine(Path.GetTempPath(), "outbox-bus-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var app = new OutboxBusApp(server, directory, settings);
        if (kestrel)
        {
            app.UseKestrel(0);
            app.StartServer();
        }
        else
        {
            _ = app.Server; // start the host now, so start-up failures surface in the test that caused them
        }
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Connects an <c>imap</c> account whose SMTP server is the test server, as the Nylas SDK does.</summary>
    public async Task<Account> ConnectAsync(string email = "sender@example.com", string? name = "Sender",
        string? smtpUsername = null, string? smtpPassword = null)
    {
        using var client = CreateClient();
        var authorize = await client.PostAsJsonAsync("/connect/authorize", new
        {
            client_id = ClientId,
            name,
            email_address = email,
            provider = "imap",
            scopes = "email.send",
            settings = new
            {
                smtp_host = Smtp.Host,
                smtp_port = Smtp.Port,
                smtp_username = smtpUsername,
                smtp_password = smtpPassword,
                ssl_required = false,
                imap_host = Smtp.Host,
                imap_port = 143,
            },
        });
        authorize.EnsureSuccessStatusCode();
        var code = (await authorize.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>();

        var token = await client.PostAsJsonAsync("/connect/token", new { client_id = ClientId, client_secret = ClientSecret, code });
        token.EnsureSuccessStatusCode();
        var body = (await token.Content.ReadFromJsonAsync<JsonObject>())!;
        var accessToken = body["access_token"]!.GetValue<string>();
        var accountId = body["account_id"]!.GetValue<string>();

        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return new Account(accountId, accessToken, email, http);
    }

    /// <summary>Rows of a query on the host's SQLite file, read-only and as text: what a copy of the database gives away.</summary>
    public List<string?[]> Query(string sql)
    {
        var path = Path.Combine(DataDirectory, "outbox-bus.db");
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return rows;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle; the temporary directory is cleaned by the OS eventually.
        }
    }
}

public sealed record Account(string Id, string AccessToken, string Email, HttpClient Http);

public static class Json
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task<JsonObject> ReadObject(this HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject)
        ?? throw new InvalidOperationException("The response body is not a JSON object");

    public static async Task<JsonArray> ReadArray(this HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonArray)
        ?? throw new InvalidOperationException("The response body is not a JSON array");

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static long Long(this JsonNode node, string name) => node[name]!.GetValue<long>();

    /// <summary>A typical send body; tests override what they are about.</summary>
    public static JsonObject Message(string to = "bob@example.com", string subject = "Hello") => new()
    {
        ["to"] = new JsonArray(new JsonObject { ["email"] = to, ["name"] = "Bob" }),
        ["subject"] = subject,
        ["body"] = "<p>Hello <b>Bob</b></p>",
    };

    public static StringContent Body(JsonNode node) => new(node.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    public static StringContent Raw(string text, string contentType = "application/json") =>
        new(text, System.Text.Encoding.UTF8, contentType);

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

public static class Jobs
{
    /// <summary>Polls the job-status API (reads are cheap) until the job reaches <paramref name="status"/>.</summary>
    public static async Task<JsonObject> WaitForStatus(this Account account, string jobId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await account.Http.GetAsync($"/job-statuses/{jobId}");
            if (response.IsSuccessStatusCode)
            {
                last = await response.ReadObject();
                if (last.Str("status") == status)
                    return last;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Job {jobId} did not become '{status}'; last seen: {last?.ToJsonString() ?? "nothing"}");
    }

    public static async Task<JsonObject> Send(this Account account, JsonObject message, string path = "/v2/outbox")
    {
        var response = await account.Http.PostAsync(path, Json.Body(message));
        var body = await response.ReadObject();
        if ((int)response.StatusCode != 202)
            throw new InvalidOperationException($"Expected 202 from {path}, got {(int)response.StatusCode}: {body.ToJsonString()}");
        return body;
    }
}
