using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Components;

namespace Outbox.Bus.Api.Tests;

/// <summary>Every account endpoint answers 401 in the Nylas shape without a valid access token, and does nothing.</summary>
public sealed class When_a_request_has_no_valid_access_token
{
    const string ExpectedBody = """{"message":"Could not verify access credential.","type":"invalid_request_error"}""";

    static AuthenticationHeaderValue? HeaderFor(string credential) => credential switch
    {
        "none" => null,
        "unknown bearer token" => new("Bearer", "not-a-token-this-server-issued"),
        "empty bearer token" => new("Bearer", ""),
        "unknown basic user name" => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("not-a-token:"))),
        "malformed basic value" => new("Basic", "%%%not-base64%%%"),
        "over-long token" => new("Bearer", new string('x', 5000)),
        "client secret as bearer" => new("Bearer", OutboxBusApp.ClientSecret),
        "other scheme" => new("Token", "whatever"),
        _ => throw new ArgumentOutOfRangeException(nameof(credential)),
    };

    [Theory]
    [InlineData("none")]
    [InlineData("unknown bearer token")]
    [InlineData("empty bearer token")]
    [InlineData("unknown basic user name")]
    [InlineData("malformed basic value")]
    [InlineData("over-long token")]
    [InlineData("client secret as bearer")]
    [InlineData("other scheme")]
    public async Task Should_answer_401_on_every_account_endpoint_and_do_nothing(string credential)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var owner = await app.ConnectAsync();
        var jobId = (await owner.Send(WithSendAt(Json.Message(subject: "Owner's"))))
            .Str("job_status_id");
        var before = await owner.GetJob(jobId);
        using var client = app.CreateClient();
        var unknownId = PublicId.Format(Guid.NewGuid());

        var requests = new (HttpMethod Method, string Path, bool Body)[]
        {
            (HttpMethod.Get, "/job-statuses", false),
            (HttpMethod.Get, $"/job-statuses/{jobId}", false),
            (HttpMethod.Get, $"/job-statuses/{unknownId}", false),
            (HttpMethod.Post, "/v2/outbox", true),
            (HttpMethod.Post, "/v2/send?sendnow=false", true),
            (HttpMethod.Post, "/v2/send?sendnow=true", true),
            (HttpMethod.Patch, $"/v2/outbox/{jobId}", true),
            (HttpMethod.Put, $"/v2/outbox/{jobId}", true),
            (HttpMethod.Delete, $"/v2/outbox/{jobId}", false),
            (HttpMethod.Post, "/oauth/revoke", false),
        };
        foreach (var (method, path, hasBody) in requests)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = HeaderFor(credential);
            if (hasBody)
                request.Content = Json.Body(WithSendAt(Json.Message(subject: "Intruder")));

            var response = await client.SendAsync(request);

            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 401, $"{method} {path}: expected 401, got {(int)response.StatusCode}: {text}");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ExpectedBody), JsonNode.Parse(text)), $"{method} {path}: {text}");
        }

        Assert.Equal([jobId], (await owner.ListJobs()).Ids());
        ApiAssertions.AssertSameJson(before, await owner.GetJob(jobId));
        Assert.Empty(app.Smtp.Messages);
    }

    static JsonObject WithSendAt(JsonObject message)
    {
        message["send_at"] = Json.Now + 600;
        return message;
    }
}
