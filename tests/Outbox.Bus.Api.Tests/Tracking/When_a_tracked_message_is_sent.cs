using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>What the recipient receives when a job asks for tracking, and that the client's tracking object round-trips.</summary>
public sealed class When_a_tracked_message_is_sent
{
    [Fact]
    public async Task Should_add_a_pixel_and_point_only_http_links_at_the_tracker()
    {
        await using var app = await Tracking.StartAsync();
        var account = await app.ConnectAsync();

        var (_, html, received) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["opens"] = true, ["links"] = true }));

        Assert.StartsWith(Tracking.BaseUrl + "/t/open/", Tracking.PixelUrl(html));
        var links = Tracking.Links(html);
        Assert.Equal(5, links.Length);
        Assert.StartsWith(Tracking.BaseUrl + "/t/link/", links[0]);
        Assert.StartsWith(Tracking.BaseUrl + "/t/link/", links[1]);
        Assert.NotEqual(links[0], links[1]);
        Assert.Equal(["mailto:sales@example.com", "#top", "/relative"], links[2..]);
        Assert.DoesNotContain("example.com/offer", html);
        // The pixel sits inside the body; the text part is the body as written, with no tracking in it.
        Assert.Contains("\" /></body></html>", html);
        Assert.DoesNotContain("/t/", received.Message.TextBody);
    }

    [Fact]
    public async Task Should_track_only_what_was_asked_for()
    {
        await using var app = await Tracking.StartAsync();
        var account = await app.ConnectAsync();

        var (_, opensOnly, _) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["opens"] = true, ["links"] = false }));
        var (_, linksOnly, _) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["links"] = true }));
        var (_, repliesOnly, _) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["thread_replies"] = true }));

        Assert.Contains("/t/open/", opensOnly);
        Assert.DoesNotContain("/t/link/", opensOnly);
        Assert.DoesNotContain("/t/open/", linksOnly);
        Assert.Contains("/t/link/", linksOnly);
        Assert.Equal(Tracking.Body, repliesOnly);
    }

    [Fact]
    public async Task Should_send_the_body_untouched_when_no_tracking_base_url_is_configured()
    {
        await using var app = await Tracking.StartAsync(new Dictionary<string, string?> { ["Tracking:BaseUrl"] = null });
        var account = await app.ConnectAsync();

        var (jobId, html, _) = await app.SendAndReceive(account, Tracking.Message(new JsonObject { ["opens"] = true, ["links"] = true }));

        Assert.Equal(Tracking.Body, html);
        await account.WaitForStatus(jobId, "successful");
    }

    [Fact]
    public async Task Should_store_and_echo_the_tracking_object_on_send_and_update()
    {
        await using var app = await Tracking.StartAsync();
        var account = await app.ConnectAsync();
        var tracking = new JsonObject { ["opens"] = true, ["links"] = false, ["thread_replies"] = true, ["payload"] = "campaign-7" };
        var message = Tracking.Message(tracking);
        message["send_at"] = Json.Now + 600;

        var sent = await account.Send(message);
        var jobId = sent.Str("job_status_id");
        var updatedTracking = new JsonObject { ["opens"] = false, ["links"] = true, ["payload"] = "campaign-8" };
        var updated = await account.Update("PATCH", jobId, new JsonObject { ["tracking"] = updatedTracking });
        var job = await account.GetJob(jobId);

        ApiAssertions.AssertSameJson(tracking, sent["original_data"]!["tracking"]);
        Assert.Equal(200, (int)updated.StatusCode);
        ApiAssertions.AssertSameJson(updatedTracking, (await updated.ReadObject())["original_data"]!["tracking"]);
        ApiAssertions.AssertSameJson(updatedTracking, job["original_data"]!["tracking"]);
    }
}
