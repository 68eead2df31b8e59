using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>Api:MaxBodyBytes</c> (413) and <c>Api:MaxRecipients</c> (400), shrunk so the tests stay small.</summary>
public sealed class When_a_message_exceeds_the_configured_limits
{
    static Task<OutboxBusApp> StartAsync() => OutboxBusApp.StartAsync(new Dictionary<string, string?>
    {
        ["Api:MaxBodyBytes"] = "1000",
        ["Api:MaxRecipients"] = "3",
    });

    [Theory]
    [InlineData("/v2/outbox", "a", 1001)]
    [InlineData("/v2/outbox", "é", 501)] // 1002 UTF-8 bytes in 501 characters: the limit is in bytes
    [InlineData("/v2/send?sendnow=true", "a", 1001)]
    public async Task Should_answer_413_for_a_body_over_the_limit(string path, string unit, int count)
    {
        await using var app = await StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["body"] = string.Concat(Enumerable.Repeat(unit, count));

        var response = await account.Http.PostAsync(path, Json.Body(message));

        await response.AssertNylasError(413);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_accept_a_body_of_exactly_the_limit()
    {
        await using var app = await StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["body"] = new string('a', 1000);
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        Assert.Equal(1000, accepted["original_data"]!.Str("body").Length);
    }

    [Theory]
    [InlineData(4, 0, 0)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 0, 3)]
    public async Task Should_answer_400_for_more_recipients_than_the_limit(int to, int cc, int bcc)
    {
        await using var app = await StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["to"] = ApiAssertions.Participants(Enumerable.Range(0, to).Select(i => $"to{i}@example.com").ToArray());
        message["cc"] = ApiAssertions.Participants(Enumerable.Range(0, cc).Select(i => $"cc{i}@example.com").ToArray());
        message["bcc"] = ApiAssertions.Participants(Enumerable.Range(0, bcc).Select(i => $"bcc{i}@example.com").ToArray());

        var response = await account.Http.PostAsync("/v2/outbox", Json.Body(message));

        await response.AssertNylasError(400);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_accept_exactly_the_limit_of_recipients()
    {
        await using var app = await StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["to"] = ApiAssertions.Participants("a@example.com");
        message["cc"] = ApiAssertions.Participants("b@example.com");
        message["bcc"] = ApiAssertions.Participants("c@example.com");
        // reply_to and from are not recipients.
        message["reply_to"] = ApiAssertions.Participants("r1@example.com", "r2@example.com");
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        Assert.Equal("pending", accepted.Str("status"));
    }
}
