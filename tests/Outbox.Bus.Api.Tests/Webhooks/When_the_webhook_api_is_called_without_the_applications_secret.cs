using System.Net.Http.Headers;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary><c>/a/{client_id}/webhooks</c> opens only to <c>Basic base64("&lt;client_secret&gt;:")</c> of the application the path names.</summary>
public sealed class When_the_webhook_api_is_called_without_the_applications_secret
{
    [Fact]
    public async Task Should_answer_401_in_the_nylas_shape_and_change_nothing()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        var account = await app.ConnectAsync();
        using var anonymous = app.CreateClient();
        using var wrongSecret = app.Management("not-the-secret");
        using var secretAsPassword = app.BasicClient("", OutboxBusApp.ClientSecret);
        using var accessToken = app.BasicClient(account.AccessToken);
        using var bearerSecret = app.BearerClient(OutboxBusApp.ClientSecret);
        using var malformed = app.CreateClient();
        malformed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "%%%not-base64");

        foreach (var client in new[] { anonymous, wrongSecret, secretAsPassword, accessToken, bearerSecret, malformed })
        {
            await (await client.GetAsync(Webhooks.Path())).AssertNylasError(401);
            await (await client.GetAsync($"{Webhooks.Path()}/{id}")).AssertNylasError(401);
            await (await client.Create(receiver.Url, ["job.failed"])).AssertNylasError(401);
            await (await client.Put(id, new System.Text.Json.Nodes.JsonObject { ["state"] = "inactive" })).AssertNylasError(401);
            await (await client.DeleteAsync($"{Webhooks.Path()}/{id}")).AssertNylasError(401);
            await (await client.GetAsync($"{Webhooks.Path()}/{id}/deliveries")).AssertNylasError(401);
        }

        Assert.Equal("active", (await app.GetWebhook(id)).Str("state"));
        Assert.Single(receiver.Challenges);
    }

    [Fact]
    public async Task Should_not_open_one_applications_webhooks_to_another_applications_secret()
    {
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        var id = await app.Subscribe(receiver, "job.successful");
        using var other = app.Management(Webhooks.OtherClientSecret);

        // Its own secret on the other application's path, and the other's path with this application's webhook id.
        var crossPath = await other.GetAsync(Webhooks.Path());
        var crossGet = await other.GetAsync($"{Webhooks.Path(Webhooks.OtherClientId)}/{id}");
        var crossDelete = await other.DeleteAsync($"{Webhooks.Path(Webhooks.OtherClientId)}/{id}");
        var unknownApplication = await app.Management().GetAsync(Webhooks.Path("no-such-app"));

        await crossPath.AssertNylasError(401);
        await crossGet.AssertNylasError(404);
        await crossDelete.AssertNylasError(404);
        await unknownApplication.AssertNylasError(401);
        Assert.Empty(await other.ListWebhooks(clientId: Webhooks.OtherClientId));
        Assert.Equal("active", (await app.GetWebhook(id)).Str("state"));
    }
}
