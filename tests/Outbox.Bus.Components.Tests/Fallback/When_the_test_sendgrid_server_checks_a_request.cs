using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

/// <summary>The mapping tests are only as good as the server's checks: it must refuse what SendGrid refuses.</summary>
public sealed class When_the_test_sendgrid_server_checks_a_request
{
    const string Valid = """
        {
          "personalizations": [{"to": [{"email": "bob@example.com"}], "cc": [{"email": "carol@example.com"}]}],
          "from": {"email": "sender@example.com"},
          "subject": "Hello",
          "content": [{"type": "text/plain", "value": "Hi"}, {"type": "text/html", "value": "<p>Hi</p>"}],
          "headers": {"Message-ID": "<id@example.com>"},
          "custom_args": {"job_status_id": "abc"}
        }
        """;

    static async Task<(HttpStatusCode Status, string Body)> Post(TestSendGridServer sendGrid, string json, string? key)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sendGrid.BaseUrl}/v3/mail/send")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static string Change(Action<JsonObject> edit)
    {
        var mail = JsonNode.Parse(Valid)!.AsObject();
        edit(mail);
        return mail.ToJsonString();
    }

    [Fact]
    public async Task Should_accept_a_valid_request_with_the_key()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();

        var (status, _) = await Post(sendGrid, Valid, sendGrid.ApiKey);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Single(sendGrid.Messages);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("SG.someone-elses-key")]
    public async Task Should_answer_401_without_the_key(string? key)
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();

        var (status, body) = await Post(sendGrid, Valid, key);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"errors\"", body);
        Assert.Empty(sendGrid.Messages);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "no personalizations", Change(m => m.Remove("personalizations")) },
        { "personalizations.0.to", Change(m => m["personalizations"]![0]!.AsObject().Remove("to")) },
        { "personalizations.0.cc", Change(m => m["personalizations"]![0]!["cc"] = new JsonArray(new JsonObject { ["email"] = "BOB@example.com" })) },
        { "personalizations.0.to.0.email", Change(m => m["personalizations"]![0]!["to"]![0]!["email"] = "not-an-address") },
        { "from", Change(m => m.Remove("from")) },
        { "subject", Change(m => m["subject"] = "") },
        { "content", Change(m => m["content"] = new JsonArray()) },
        { "content.0.value", Change(m => m["content"]![0]!["value"] = "") },
        { "content.1.type", Change(m => m["content"] = new JsonArray(
            new JsonObject { ["type"] = "text/html", ["value"] = "<p>Hi</p>" },
            new JsonObject { ["type"] = "text/plain", ["value"] = "Hi" })) },
        { "headers.Bad Name", Change(m => m["headers"]!["Bad Name"] = "x") },
        { "headers.From", Change(m => m["headers"]!["From"] = "x@example.com") },
        { "custom_args.count", Change(m => m["custom_args"]!["count"] = 3) },
        { "reply_to", Change(m =>
        {
            m["reply_to"] = new JsonObject { ["email"] = "a@example.com" };
            m["reply_to_list"] = new JsonArray(new JsonObject { ["email"] = "b@example.com" });
        }) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Should_answer_400_naming_the_field(string field, string json)
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();

        var (status, body) = await Post(sendGrid, json, sendGrid.ApiKey);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = JsonNode.Parse(body)!["errors"]!.AsArray();
        if (field != "no personalizations")
            Assert.Contains(errors, e => e!["field"]?.GetValue<string>() == field);
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e!["message"]!.GetValue<string>())));
        Assert.Empty(sendGrid.Messages);
    }
}
