using System.Buffers.Text;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Api.Tests.Webhooks;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>Only URLs the service put in a message work: anything altered, forged or misused is a 404 that records nothing.</summary>
public sealed class When_a_tracking_token_is_not_genuine
{
    [Fact]
    public async Task Should_answer_404_without_a_redirect_and_record_nothing()
    {
        await using var app = await Tracking.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "message.opened", "message.link_clicked");
        var account = await app.ConnectAsync();
        var (_, html, _) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["opens"] = true, ["links"] = true }));
        var pixel = Tracking.PixelUrl(html);
        var link = Tracking.Links(html)[0];
        var linkToken = link[(link.LastIndexOf('/') + 1)..];
        var pixelToken = pixel[(pixel.LastIndexOf('/') + 1)..];
        using var reader = app.Reader();

        var attempts = new Dictionary<string, HttpResponseMessage>
        {
            // The same token with one bit of the target changed.
            ["altered link"] = await reader.GetAsync("t/link/" + Flip(linkToken, 30)),
            ["altered pixel"] = await reader.GetAsync("t/open/" + Flip(pixelToken, 5)),
            ["cut short"] = await reader.GetAsync("t/link/" + linkToken[..^3]),
            ["forged"] = await reader.GetAsync("t/link/" + Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(60))),
            ["garbage"] = await reader.GetAsync("t/open/not-a-token"),
            // Genuine tokens, on the other endpoint.
            ["pixel as link"] = await reader.GetAsync("t/link/" + pixelToken),
            ["link as pixel"] = await reader.GetAsync("t/open/" + linkToken),
        };
        // A genuine open afterwards: if any attempt above had been recorded, it would not be the first.
        Assert.Equal(200, (int)(await reader.Follow(pixel)).StatusCode);
        var notification = await receiver.WaitForNotificationAsync();

        foreach (var (name, response) in attempts)
        {
            Assert.True((int)response.StatusCode == 404, $"{name}: {(int)response.StatusCode}");
            Assert.Null(response.Headers.Location);
        }
        Assert.Equal("message.opened", notification.Delta.Str("type"));
        Assert.Equal(1, notification.Metadata()["count"]!.GetValue<int>());
        Assert.Single(receiver.Notifications);
    }

    [Fact]
    public async Task Should_refuse_a_token_signed_by_another_installation()
    {
        await using var other = await Tracking.StartAsync();
        var otherAccount = await other.ConnectAsync();
        var (_, otherHtml, _) = await other.SendAndReceive(otherAccount, Tracking.Message(new JsonObject { ["links"] = true }));
        await using var app = await Tracking.StartAsync();
        using var reader = app.Reader();

        var response = await reader.Follow(Tracking.Links(otherHtml)[0]);

        await response.AssertNylasError(404);
        Assert.Null(response.Headers.Location);
    }

    static string Flip(string token, int index)
    {
        var bytes = Base64Url.DecodeFromChars(token);
        bytes[Math.Min(index, bytes.Length - 1)] ^= 0x01;
        return Base64Url.EncodeToString(bytes);
    }
}
