using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>List, get, update and delete, with the requests the Nylas Node SDK makes.</summary>
public sealed class When_webhooks_are_managed
{
    [Fact]
    public async Task Should_list_the_applications_webhooks_as_a_top_level_array_paged_by_offset_and_limit()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await app.Subscribe(receiver, "job.successful"));
        using var other = app.Management(Webhooks.OtherClientSecret);
        Assert.Equal(200, (int)(await other.Create(receiver.Url, ["job.failed"], clientId: Webhooks.OtherClientId)).StatusCode);
        using var client = app.Management();

        var all = await client.ListWebhooks("?offset=0&limit=100");
        var page = await client.ListWebhooks("?limit=1&offset=1");
        var beyond = await client.ListWebhooks("?offset=3&limit=100");
        var badLimit = await client.GetAsync(Webhooks.Path() + "?limit=zero");

        Assert.Equal(ids, all.Select(w => w!.Str("id")));
        Assert.All(all, w => Assert.Equal(OutboxBusApp.ClientId, w!.Str("application_id")));
        Assert.Equal([ids[1]], page.Select(w => w!.Str("id")));
        Assert.Empty(beyond);
        await badLimit.AssertNylasError(400);
        Assert.Single(await other.ListWebhooks(clientId: Webhooks.OtherClientId));
    }

    [Fact]
    public async Task Should_change_the_state_with_the_put_the_sdk_sends()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        using var client = app.Management();

        var inactive = await client.Put(id, new JsonObject { ["state"] = "inactive" });
        var active = await client.Put(id, new JsonObject { ["state"] = "active" });
        var failing = await client.Put(id, new JsonObject { ["state"] = "failing" });

        Assert.Equal(200, (int)inactive.StatusCode);
        Assert.Equal("inactive", (await inactive.ReadObject()).Str("state"));
        Assert.Equal("active", (await active.ReadObject()).Str("state"));
        // failing and failed are what deliveries decide, not a client.
        await failing.AssertNylasError(400);
        var webhook = await app.GetWebhook(id);
        Assert.Equal("active", webhook.Str("state"));
        Assert.Equal(["job.successful"], webhook["triggers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Single(receiver.Challenges);
    }

    [Fact]
    public async Task Should_change_the_triggers_and_challenge_a_new_callback_url()
    {
        await using var app = await Webhooks.StartAsync();
        await using var first = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await using var second = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(first, "job.successful");
        using var client = app.Management();

        var unknownTrigger = await client.Put(id, new JsonObject { ["triggers"] = new JsonArray("job.exploded") });
        second.AnswerChallengesWith(200, "nope");
        var refused = await client.Put(id, new JsonObject { ["callback_url"] = second.Url });
        second.ClearResponses();
        var changed = await client.Put(id, new JsonObject
        {
            ["callback_url"] = second.Url,
            ["triggers"] = new JsonArray("job.failed", "job.cancelled"),
        });

        await unknownTrigger.AssertNylasError(400);
        await refused.AssertNylasError(400);
        Assert.Equal(200, (int)changed.StatusCode);
        var webhook = await changed.ReadObject();
        Assert.Equal(second.Url, webhook.Str("callback_url"));
        Assert.Equal(["job.failed", "job.cancelled"], webhook["triggers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(id, webhook.Str("id"));
        Assert.Equal(2, second.Challenges.Count);
        Assert.Single(first.Challenges);
    }

    [Fact]
    public async Task Should_delete_with_the_body_the_sdk_sends_and_then_answer_404()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        using var client = app.Management();

        var deleted = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks.Path()}/{id}")
        {
            Content = Webhooks.SdkBody(new JsonObject()),
        });
        var get = await client.GetAsync($"{Webhooks.Path()}/{id}");
        var again = await client.DeleteAsync($"{Webhooks.Path()}/{id}");
        var put = await client.Put(id, new JsonObject { ["state"] = "inactive" });
        var unknown = await client.GetAsync($"{Webhooks.Path()}/5qlu0dvy5vq7p3z0281isc0nj");

        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal("{}", await deleted.Content.ReadAsStringAsync());
        await get.AssertNylasError(404);
        await again.AssertNylasError(404);
        await put.AssertNylasError(404);
        await unknown.AssertNylasError(404);
        Assert.Empty(await client.ListWebhooks());
    }
}
