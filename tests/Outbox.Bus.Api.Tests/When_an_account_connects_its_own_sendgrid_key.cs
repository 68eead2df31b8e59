using System.Net;
using System.Text;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests;

/// <summary>
/// No application-level SendGrid key: an account brings its own through <c>/v2/outbox/onboard/subuser</c> and the
/// "with service" rules then apply to its jobs only. The local SendGrid server accepts only <see cref="OwnKey"/>.
/// </summary>
public sealed class When_an_account_connects_its_own_sendgrid_key
{
    const string OwnKey = "SG.account-own.key-0123456789";
    const string Path = "/v2/outbox/onboard/subuser";

    static async Task<(TestSendGridServer SendGrid, OutboxBusApp App)> Start()
    {
        var sendGrid = await TestSendGridServer.StartAsync(OwnKey);
        sendGrid.AddVerifiedSender("sender@example.com");
        var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?>
        {
            ["SendGrid:BaseUrl"] = sendGrid.BaseUrl,
            ["Jobs:FirstRetryInterval"] = "00:00:05", // a retry would show as "delayed", a fallback as "successful"
        });
        return (sendGrid, app);
    }

    static Task<HttpResponseMessage> Connect(Account account, string body) =>
        account.Http.PostAsync(Path, Json.Raw(body));

    static Task<HttpResponseMessage> Disconnect(Account account, string email) =>
        account.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, Path) { Content = Json.Raw($$"""{"email": "{{email}}"}""") });

    [Fact]
    public async Task Should_check_the_key_with_sendgrid_and_answer_the_senders_verification()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();

        var response = await Connect(account, $$"""{"api_key": "{{OwnKey}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObject();
        Assert.Equal("sender@example.com", body.Str("email"));
        Assert.True(body["connected"]!.GetValue<bool>());
        Assert.True(body["sender_verified"]!.GetValue<bool>());
        Assert.All(sendGrid.Requests, r => Assert.Equal($"Bearer {OwnKey}", r.Authorization));
        var status = await account.Http.GetAsync("/v2/outbox/onboard/verified_status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.True((await status.ReadObject())["results"]!["sender_verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_send_through_the_accounts_key_when_the_provider_reports_its_daily_limit()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();
        (await Connect(account, $$"""{"api_key": "{{OwnKey}}"}""")).EnsureSuccessStatusCode();
        app.Smtp.RespondWith(550, "5.4.5 Daily user sending quota exceeded");

        var jobId = (await account.Send(Json.Message(subject: "Own key"))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "successful");

        Assert.Equal(["smtp", "sendgrid"], job["metadata"]!["attempts"]!.AsArray().Select(a => a!.Str("route")));
        Assert.Equal("Own key", (await sendGrid.WaitForMessageAsync()).Subject);
        Assert.Equal($"Bearer {OwnKey}", sendGrid.Requests.Last(r => r.Path == TestSendGridServer.MailSendPath).Authorization);
    }

    [Fact]
    public async Task Should_refuse_a_key_sendgrid_rejects_and_store_nothing()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();

        var response = await Connect(account, """{"api_key": "SG.somebody-elses.key"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadObject();
        Assert.Equal("invalid_request_error", error.Str("type"));
        Assert.Contains("SendGrid did not accept the key", error.Str("message"));
        Assert.All(ReadKeys(app), Assert.Null);
        Assert.Equal(HttpStatusCode.BadRequest, (await account.Http.GetAsync("/v2/outbox/onboard/verified_status")).StatusCode);
    }

    [Theory]
    [InlineData("{}", "api_key is required.")]
    [InlineData("""{"api_key": "   "}""", "api_key is required.")]
    [InlineData("""{"api_key": "SG.a\r\nX-Injected: 1"}""", "api_key must be at most 256 characters with no spaces or control characters.")]
    [InlineData("""{"api_key": "SG.two words"}""", "api_key must be at most 256 characters with no spaces or control characters.")]
    [InlineData("""{"api_key": 42}""", null)]
    [InlineData("""not json""", null)]
    public async Task Should_refuse_a_malformed_request_without_asking_sendgrid(string body, string? message)
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();

        var response = await Connect(account, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadObject();
        Assert.Equal("invalid_request_error", error.Str("type"));
        if (message is not null)
            Assert.Equal(message, error.Str("message"));
        Assert.Empty(sendGrid.Requests);
        Assert.All(ReadKeys(app), Assert.Null);
    }

    [Fact]
    public async Task Should_refuse_an_oversized_key_without_asking_sendgrid()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();

        var response = await Connect(account, $$"""{"api_key": "SG.{{new string('k', 300)}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(sendGrid.Requests);
    }

    [Fact]
    public async Task Should_keep_the_key_only_encrypted_at_rest()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();
        (await Connect(account, $$"""{"api_key": "{{OwnKey}}"}""")).EnsureSuccessStatusCode();

        var stored = Assert.Single(ReadKeys(app));

        Assert.NotNull(stored);
        Assert.DoesNotContain(OwnKey, stored);
        var file = await File.ReadAllBytesAsync(System.IO.Path.Combine(app.DataDirectory, "outbox-bus.db"));
        Assert.DoesNotContain(OwnKey, Encoding.UTF8.GetString(file));
    }

    [Fact]
    public async Task Should_not_lend_one_accounts_key_to_another()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var owner = await app.ConnectAsync();
        (await Connect(owner, $$"""{"api_key": "{{OwnKey}}"}""")).EnsureSuccessStatusCode();
        var other = await app.ConnectAsync(email: "other@example.com");
        app.Smtp.RespondWith(550, "5.4.5 Daily user sending quota exceeded");

        var jobId = (await other.Send(Json.Message())).Str("job_status_id");
        var job = await other.WaitForStatus(jobId, "delayed");

        Assert.Equal(["smtp"], job["metadata"]!["attempts"]!.AsArray().Select(a => a!.Str("route")));
        Assert.Equal(0, sendGrid.MailSendCount);
        Assert.Equal(HttpStatusCode.BadRequest, (await other.Http.GetAsync("/v2/outbox/onboard/verified_status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Disconnect(other, "sender@example.com")).StatusCode);
        Assert.NotNull(ReadKeys(app).Single(k => k is not null));
    }

    [Fact]
    public async Task Should_retry_over_smtp_again_once_the_key_is_removed()
    {
        var (sendGrid, app) = await Start();
        await using var _ = sendGrid;
        await using var __ = app;
        var account = await app.ConnectAsync();
        (await Connect(account, $$"""{"api_key": "{{OwnKey}}"}""")).EnsureSuccessStatusCode();

        var removed = await Disconnect(account, "Sender@Example.com");
        var again = await Disconnect(account, "sender@example.com");
        app.Smtp.RespondWith(550, "5.4.5 Daily user sending quota exceeded");
        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "delayed");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.False((await removed.ReadObject())["connected"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("invalid_request_error", (await again.ReadObject()).Str("type"));
        Assert.All(ReadKeys(app), Assert.Null);
        Assert.Equal("Provider daily sending limit reached", job.Str("reason"));
        Assert.Equal(["smtp"], job["metadata"]!["attempts"]!.AsArray().Select(a => a!.Str("route")));
        Assert.Equal(0, sendGrid.MailSendCount);
    }

    static List<string?> ReadKeys(OutboxBusApp app) =>
        app.Query("SELECT \"SendGridApiKeyProtected\" FROM \"Accounts\"").Select(row => row[0]).ToList();
}
