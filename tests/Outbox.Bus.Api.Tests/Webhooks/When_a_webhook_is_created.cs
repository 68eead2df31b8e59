using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary><c>POST /a/{client_id}/webhooks</c>: stored only once the endpoint has answered the challenge.</summary>
public sealed class When_a_webhook_is_created
{
    [Fact]
    public async Task Should_answer_the_webhook_once_the_endpoint_has_answered_the_challenge()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        using var client = app.Management();

        var response = await client.Create(receiver.Url, ["job.successful", "job.failed"]);

        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        var webhook = await response.ReadObject();
        Assert.Equal(["application_id", "callback_url", "id", "state", "triggers", "version"], webhook.Keys());
        Assert.Matches("^[0-9a-z]{25}$", webhook.Str("id"));
        Assert.Equal(OutboxBusApp.ClientId, webhook.Str("application_id"));
        Assert.Equal(receiver.Url, webhook.Str("callback_url"));
        Assert.Equal("active", webhook.Str("state"));
        Assert.Equal(["job.successful", "job.failed"], webhook["triggers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("2.0", webhook.Str("version"));

        var challenge = Assert.Single(receiver.Challenges);
        Assert.Matches("^[0-9a-f]{32}$", challenge.Challenge);
        Assert.Equal(receiver.Path, challenge.Path);
        Assert.Empty(receiver.Notifications);
        ApiAssertions.AssertSameJson(webhook, await app.GetWebhook(webhook.Str("id")));
    }

    [Fact]
    public async Task Should_keep_the_query_of_the_callback_url_and_create_an_inactive_webhook_when_asked()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        using var client = app.Management();

        var response = await client.Create(receiver.Url + "?tenant=7", ["job.delayed", "message.opened", "thread.replied"], "inactive");

        var webhook = await response.ReadObject();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("inactive", webhook.Str("state"));
        Assert.Equal(receiver.Url + "?tenant=7", webhook.Str("callback_url"));
        Assert.StartsWith("?tenant=7&challenge=", Assert.Single(receiver.Challenges).Query);
    }

    [Fact]
    public async Task Should_answer_400_and_store_nothing_when_the_endpoint_answers_the_challenge_wrongly()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        using var client = app.Management();
        receiver.AnswerChallengesWith(200, "not-the-challenge");
        var wrong = await client.Create(receiver.Url, ["job.successful"]);
        receiver.AnswerChallengesWith(404);
        var missing = await client.Create(receiver.Url, ["job.successful"]);

        var wrongError = await wrong.AssertNylasError(400);
        var missingError = await missing.AssertNylasError(400);

        Assert.Contains("challenge", wrongError.Str("message"));
        Assert.Contains("404", missingError.Str("message"));
        Assert.Equal(2, receiver.Challenges.Count);
        Assert.Empty(await client.ListWebhooks());
    }

    [Fact]
    public async Task Should_answer_400_and_store_nothing_when_the_endpoint_cannot_be_reached_or_is_too_slow()
    {
        await using var app = await Webhooks.StartAsync(new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:00.500" });
        await using var slow = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        slow.AnswerChallengesWith(200, delay: TimeSpan.FromSeconds(5));
        using var client = app.Management();

        var unreachable = await client.Create($"http://127.0.0.1:{FreeTcpPort.Next()}/webhook", ["job.successful"]);
        var tooSlow = await client.Create(slow.Url, ["job.successful"]);

        Assert.Contains("could not be reached", (await unreachable.AssertNylasError(400)).Str("message"));
        Assert.Contains("within 0.5 seconds", (await tooSlow.AssertNylasError(400)).Str("message"));
        Assert.Empty(await client.ListWebhooks());
    }

    [Theory]
    [InlineData("""{"callback_url": "CALLBACK", "triggers": ["job.successful", "job.pending"]}""", "job.pending")]
    [InlineData("""{"callback_url": "CALLBACK", "triggers": ["message.created"]}""", "message.created")]
    [InlineData("""{"callback_url": "CALLBACK", "triggers": []}""", "triggers")]
    [InlineData("""{"callback_url": "CALLBACK"}""", "triggers")]
    [InlineData("""{"triggers": ["job.successful"]}""", "callback_url")]
    [InlineData("""{"callback_url": "CALLBACK", "triggers": ["job.successful"], "state": "failing"}""", "state")]
    [InlineData("""{"callback_url": "CALLBACK", "triggers": "job.successful"}""", "JSON")]
    [InlineData("""not json""", "JSON")]
    public async Task Should_answer_400_for_an_invalid_request_without_calling_the_endpoint(string body, string mentioned)
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        using var client = app.Management();

        var response = await client.PostAsync(Webhooks.Path(), Json.Raw(body.Replace("CALLBACK", receiver.Url), "text/plain"));

        Assert.Contains(mentioned, (await response.AssertNylasError(400)).Str("message"));
        Assert.Empty(receiver.Requests);
        Assert.Empty(await client.ListWebhooks());
    }
}
