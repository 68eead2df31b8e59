using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>Nylas native authentication: <c>/connect/authorize</c> then <c>/connect/token</c>.</summary>
public sealed class When_an_account_is_connected
{
    static JsonObject AuthorizeBody(OutboxBusApp app, string email = "sender@example.com", string clientId = OutboxBusApp.ClientId) => new()
    {
        ["client_id"] = clientId,
        ["name"] = "Sender",
        ["email_address"] = email,
        ["provider"] = "imap",
        ["scopes"] = "email.send,email.read_only",
        ["settings"] = new JsonObject
        {
            ["imap_host"] = app.Smtp.Host,
            ["imap_port"] = 143,
            ["imap_username"] = "sender",
            ["imap_password"] = "imap-secret",
            ["smtp_host"] = app.Smtp.Host,
            ["smtp_port"] = app.Smtp.Port,
            ["smtp_username"] = "sender",
            ["smtp_password"] = "smtp-secret",
            ["ssl_required"] = false,
        },
    };

    static JsonObject TokenBody(string code, string secret = OutboxBusApp.ClientSecret) => new()
    {
        ["client_id"] = OutboxBusApp.ClientId,
        ["client_secret"] = secret,
        ["code"] = code,
    };

    /// <summary>Posts as the Node SDK does: a JSON string with Content-Type text/plain.</summary>
    static Task<HttpResponseMessage> Post(HttpClient client, string path, JsonNode body) =>
        client.PostAsync(path, Json.Raw(body.ToJsonString(), "text/plain"));

    static async Task<string> Authorize(OutboxBusApp app, HttpClient client)
    {
        var response = await Post(client, "/connect/authorize", AuthorizeBody(app));
        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        return (await response.ReadObject()).Str("code");
    }

    [Fact]
    public async Task Should_give_a_code_then_an_access_token_for_text_plain_bodies()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.BasicClient(OutboxBusApp.ClientSecret);
        var code = await Authorize(app, client);

        var response = await Post(client, "/connect/token", TokenBody(code));

        Assert.Equal(200, (int)response.StatusCode);
        var account = await response.ReadObject();
        Assert.False(string.IsNullOrEmpty(account.Str("access_token")));
        Assert.Matches("^[0-9a-z]{25}$", account.Str("account_id"));
        Assert.Equal("sender@example.com", account.Str("email_address"));
        using var http = app.BearerClient(account.Str("access_token"));
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var sent = await http.PostAsync("/v2/outbox", Json.Body(message));
        Assert.Equal(account.Str("account_id"), (await sent.ReadObject()).Str("account_id"));
    }

    [Fact]
    public async Task Should_answer_401_to_a_wrong_client_secret_and_keep_the_code_usable()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();
        var code = await Authorize(app, client);

        var wrong = await Post(client, "/connect/token", TokenBody(code, "wrong-secret"));

        await wrong.AssertNylasError(401);
        var right = await Post(client, "/connect/token", TokenBody(code));
        Assert.Equal(200, (int)right.StatusCode);
    }

    [Fact]
    public async Task Should_answer_400_when_an_authorization_code_is_used_twice()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();
        var code = await Authorize(app, client);
        var first = await Post(client, "/connect/token", TokenBody(code));
        Assert.Equal(200, (int)first.StatusCode);

        var second = await Post(client, "/connect/token", TokenBody(code));

        await second.AssertNylasError(400);
    }

    [Theory]
    [InlineData("made-up-code")]
    [InlineData("")]
    public async Task Should_answer_400_to_a_code_it_never_issued(string code)
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();

        var response = await Post(client, "/connect/token", TokenBody(code));

        await response.AssertNylasError(400);
    }

    [Fact]
    public async Task Should_answer_401_to_an_unknown_client_id_at_authorize()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();

        var response = await Post(client, "/connect/authorize", AuthorizeBody(app, clientId: "someone-else"));

        await response.AssertNylasError(401);
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("")]
    [InlineData("a b@x.com")]
    [InlineData("<bob@x.com>")]
    [InlineData("bob@x.com\r\nBcc: eve@x.com")]
    public async Task Should_answer_400_to_an_invalid_email_address(string email)
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();

        var response = await Post(client, "/connect/authorize", AuthorizeBody(app, email));

        await response.AssertNylasError(400);
    }

    [Theory]
    [InlineData("no settings")]
    [InlineData("no smtp_host")]
    [InlineData("blank smtp_host")]
    public async Task Should_answer_400_to_an_imap_account_without_smtp_host(string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();
        var body = AuthorizeBody(app);
        var settings = body["settings"]!.AsObject();
        switch (@case)
        {
            case "no settings":
                body.Remove("settings");
                break;
            case "no smtp_host":
                settings.Remove("smtp_host");
                break;
            default:
                settings["smtp_host"] = "  ";
                break;
        }

        var response = await Post(client, "/connect/authorize", body);

        await response.AssertNylasError(400);
    }

    [Theory]
    [InlineData("name with a line break")]
    [InlineData("smtp_port 0")]
    [InlineData("smtp_port 70000")]
    [InlineData("unsupported provider")]
    [InlineData("no provider")]
    public async Task Should_answer_400_to_other_bad_settings(string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();
        var body = AuthorizeBody(app);
        var settings = body["settings"]!.AsObject();
        switch (@case)
        {
            case "name with a line break":
                body["name"] = "Sender\r\nX-Injected: yes";
                break;
            case "smtp_port 0":
                settings["smtp_port"] = 0;
                break;
            case "smtp_port 70000":
                settings["smtp_port"] = 70000;
                break;
            case "unsupported provider":
                body["provider"] = "carrier-pigeon";
                break;
            default:
                body.Remove("provider");
                break;
        }

        var response = await Post(client, "/connect/authorize", body);

        await response.AssertNylasError(400);
    }

    [Fact]
    public async Task Should_answer_400_to_an_expired_code()
    {
        await using var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?> { ["Api:AuthorizationCodeLifetime"] = "00:00:00.001" });
        using var client = app.CreateClient();
        var code = await Authorize(app, client);

        var response = await Post(client, "/connect/token", TokenBody(code));

        await response.AssertNylasError(400);
    }

    [Fact]
    public async Task Should_answer_400_to_malformed_json()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();

        var authorize = await client.PostAsync("/connect/authorize", Json.Raw("{\"client_id\":", "text/plain"));
        var token = await client.PostAsync("/connect/token", Json.Raw("[]", "text/plain"));

        await authorize.AssertNylasError(400);
        await token.AssertNylasError(400);
    }
}
