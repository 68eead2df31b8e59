using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>POST /v2/send?sendnow=true</c>: the answer waits for the first attempt.</summary>
public sealed class When_a_message_is_sent_now
{
    [Fact]
    public async Task Should_answer_200_with_the_sent_message_once_the_smtp_server_accepted_it()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("sender@example.com", "Sender");
        var message = Json.Message(subject: "Now please");
        message["cc"] = ApiAssertions.Participant("carol@example.com", "Carol");
        // send_at is irrelevant to a synchronous send: it goes now.
        message["send_at"] = Json.Now + 3600;
        var before = Json.Now;

        var response = await account.Http.PostAsync("/v2/send?sendnow=true", Json.Body(message));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 200, $"{(int)response.StatusCode}: {text}");
        var sent = await response.ReadObject();
        var received = Assert.Single(app.Smtp.Messages);
        Assert.Matches("^[0-9a-z]{25}$", sent.Str("id"));
        Assert.Equal("message", sent.Str("object"));
        Assert.Equal(account.Id, sent.Str("account_id"));
        Assert.Equal(sent.Str("id"), sent.Str("job_status_id"));
        Assert.Equal($"<{received.Message.MessageId}>", sent.Str("message_id"));
        Assert.Equal("Now please", sent.Str("subject"));
        Assert.Equal("<p>Hello <b>Bob</b></p>", sent.Str("body"));
        Assert.Equal("Hello Bob", sent.Str("snippet"));
        Assert.Equal([("sender@example.com", "Sender")], sent["from"].People());
        Assert.Equal([("bob@example.com", "Bob")], sent["to"].People());
        Assert.Equal([("carol@example.com", "Carol")], sent["cc"].People());
        Assert.InRange(sent.Long("date"), before - 1, Json.Now + 1);

        Assert.Equal("Now please", received.Message.Subject);
        Assert.Equal(["bob@example.com", "carol@example.com"], received.RcptTo.Order());
        var job = await account.GetJob(sent.Str("job_status_id"));
        Assert.Equal("successful", job.Str("status"));
    }

    [Fact]
    public async Task Should_answer_422_with_the_provider_reply_when_the_smtp_server_refuses_it_permanently()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        app.Smtp.RespondWith(550, "5.7.1 Message rejected as spam");

        var response = await account.Http.PostAsync("/v2/send?sendnow=true", Json.Body(Json.Message()));

        var error = await response.AssertNylasError(422, ApiAssertions.ApiError);
        Assert.Contains("550", error.Str("server_error"));
        Assert.Contains("5.7.1 Message rejected as spam", error.Str("server_error"));
        Assert.Contains("550", error.Str("message"));
        Assert.Empty(app.Smtp.Messages);
        Assert.Single(app.Smtp.Rejected);

        var job = Assert.Single(await account.ListJobs())!;
        Assert.Equal("failed", job.Str("status"));
        Assert.Contains("5.7.1 Message rejected as spam", job.Str("reason"));
        var attempt = Assert.Single(job["metadata"]!["attempts"]!.AsArray());
        Assert.Equal("permanent", attempt!.Str("outcome"));
        ApiAssertions.AssertSameJson(job, await account.GetJob(job.Str("job_status_id")));
    }

    [Fact]
    public async Task Should_go_now_whatever_send_at_says_with_the_retry_limit_counted_from_now()
    {
        // Whether the answer is 200 or (after Api:SendNowTimeout) 202 is another test's business: this one is about times.
        await using var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?> { ["Api:SendNowTimeout"] = "00:00:03" });
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 3600;
        var before = Json.Now;

        var response = await account.Http.PostAsync("/v2/send?sendnow=true", Json.Body(message));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var job = Assert.Single(await account.ListJobs())!;
        Assert.InRange(job.Long("send_at"), before - 1, Json.Now + 1);
        Assert.Equal(job.Long("send_at"), job.Long("original_send_at"));
        Assert.True(job.Long("send_at") + 86400 == job.Long("retry_limit_datetime"),
            $"retry_limit_datetime should be the actual send_at + 86400, but the job is: {job.ToJsonString()}");
        Assert.Single(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("1")]
    [InlineData("yes")]
    public async Task Should_answer_400_for_a_sendnow_that_is_not_a_boolean(string sendnow)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.PostAsync($"/v2/send?sendnow={sendnow}", Json.Body(Json.Message()));

        await response.AssertNylasError(400);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }
}
