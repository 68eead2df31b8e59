using System.Net;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests;

/// <summary>The SendGrid fallback seen from the API: a local server that speaks SendGrid's v3 API stands in for it.</summary>
public sealed class When_a_fallback_service_is_connected
{
    static Dictionary<string, string?> Settings(TestSendGridServer sendGrid) => new()
    {
        ["SendGrid:ApiKey"] = sendGrid.ApiKey,
        ["SendGrid:BaseUrl"] = sendGrid.BaseUrl,
    };

    [Fact]
    public async Task Should_send_through_the_fallback_at_once_when_the_provider_reports_its_daily_limit()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender("sender@example.com");
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid));
        app.Smtp.RespondWith(550, "5.4.5 Daily user sending quota exceeded");
        var account = await app.ConnectAsync();

        var accepted = await account.Send(Json.Message(subject: "Over quota"));
        var job = await account.WaitForStatus(accepted.Str("job_status_id"), "successful");

        var received = await sendGrid.WaitForMessageAsync();
        Assert.Equal("Over quota", received.Subject);
        Assert.Equal(["bob@example.com"], received.To);
        var attempts = job["metadata"]!["attempts"]!.AsArray();
        Assert.Equal(["smtp", "sendgrid"], attempts.Select(a => a!.Str("route")));
        Assert.Equal("dailylimit", attempts[0]!.Str("outcome"));
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_answer_verified_status_from_the_fallback_service()
    {
        await using var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender("sender@example.com");
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid));
        var account = await app.ConnectAsync();

        var response = await account.Http.GetAsync("/v2/outbox/onboard/verified_status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.ReadObject())["results"]!;
        Assert.True(results["sender_verified"]!.GetValue<bool>());
        Assert.False(results["domain_verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_refuse_verified_status_when_no_fallback_is_connected()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.GetAsync("/v2/outbox/onboard/verified_status");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (await response.ReadObject()).Str("type"));
    }
}
