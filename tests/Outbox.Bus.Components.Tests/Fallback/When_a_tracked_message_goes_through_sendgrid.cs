using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

/// <summary>Tracking asked for on a job must not stop working when the job falls back: the same pixel and links as on the
/// SMTP route, and SendGrid's own tracking off so it does not wrap them again.</summary>
public sealed class When_a_tracked_message_goes_through_sendgrid
{
    const string TrackingBase = "https://track.example";

    static async Task<(TestSendGridServer SendGrid, TestSendGridMessage Received)> Send(string? tracking)
    {
        var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(FallbackHost.SenderEmail);
        await using var host = await FallbackHost.StartAsync(sendGrid, new Dictionary<string, string?> { ["Tracking:BaseUrl"] = TrackingBase });
        var account = await host.AddAccountAsync();
        var message = TestMessages.Email(body: """<p>Read <a href="https://docs.example/guide">the guide</a></p>""") with { Tracking = tracking };
        var delivery = FallbackHost.Delivery(account.Id, message);

        await host.Deliver(delivery);
        await host.WaitForSent(delivery);
        return (sendGrid, await sendGrid.WaitForMessageAsync());
    }

    [Fact]
    public async Task Should_add_the_pixel_and_track_the_links_in_the_html()
    {
        var (sendGrid, received) = await Send("""{"opens": true, "links": true}""");
        await using var _ = sendGrid;

        var html = received.Contents.Single(c => c.Type == "text/html").Value;
        Assert.Contains($"""<img src="{TrackingBase}/""", html);
        Assert.DoesNotContain("https://docs.example/guide", html);
        Assert.Matches($"""<a href="{System.Text.RegularExpressions.Regex.Escape(TrackingBase)}/[^"]+">the guide</a>""", html);
        Assert.Equal("Read the guide", received.Contents.Single(c => c.Type == "text/plain").Value);
        Assert.False(received.Body["tracking_settings"]!["click_tracking"]!["enable"]!.GetValue<bool>());
        Assert.False(received.Body["tracking_settings"]!["open_tracking"]!["enable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_send_the_html_as_written_when_tracking_was_not_asked_for()
    {
        var (sendGrid, received) = await Send(null);
        await using var _ = sendGrid;

        Assert.Equal("""<p>Read <a href="https://docs.example/guide">the guide</a></p>""",
            received.Contents.Single(c => c.Type == "text/html").Value);
        Assert.Null(received.Body["tracking_settings"]);
    }
}
