using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;
using static Outbox.Bus.Api.Tests.Infrastructure.FailureClasses;

namespace Outbox.Bus.Api.Tests;

/// <summary>
/// Every failure class of the README's retry table against the real SMTP server, with SendGrid connected as the
/// fallback (a local server speaking its v3 API): which failures go to it, when, and which never do.
/// </summary>
public sealed class When_each_failure_class_meets_the_fallback
{
    const int AttemptsBeforeFallback = 5;

    [Theory]
    [MemberData(nameof(Transient), MemberType = typeof(FailureClasses))]
    public async Task Should_send_through_the_fallback_after_five_provider_attempts(string failure)
    {
        var scripted = Retryable[failure];
        await using var sendGrid = await StartSendGrid();
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid));
        scripted.Script(app.Smtp);
        var account = await app.ConnectAsync();

        var posted = DateTimeOffset.UtcNow;
        var jobId = (await account.Send(Json.Message(subject: failure))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "successful", TimeSpan.FromSeconds(30));

        Assert.False(job.ContainsKey("reason"), $"A successful job has no reason: {job.ToJsonString()}");
        var attempts = AssertAttempts(job, [.. Repeat(AttemptsBeforeFallback, "smtp", "transient"), ("sendgrid", "sent")]);
        if (scripted.ReplyText is { } reply)
            Assert.All(attempts.Take(AttemptsBeforeFallback), a => Assert.Contains(reply, a!.Str("reply")));

        var seen = scripted.Seen(app.Smtp);
        Assert.Equal(AttemptsBeforeFallback, seen.Count);
        scripted.AssertNothingElse(app.Smtp);
        AssertSameMessage(seen, failure);
        var received = AssertSentThroughFallback(sendGrid, failure, seen[0]);
        Assert.Equal(seen[0].Message.MessageId, job["metadata"]!.Str("message_id"));

        var arrivals = seen.Select(m => m.ReceivedAt).ToArray();
        Assert.True(arrivals[0] - posted < FirstAttemptLate, $"The first attempt came {(arrivals[0] - posted).TotalMilliseconds:0} ms after the POST");
        AssertSpacing(arrivals, scripted);
        // The fallback gets the message as soon as the fifth attempt has failed: no retry wait in between.
        var handOver = received.ReceivedAt - arrivals[^1];
        Assert.True(handOver >= scripted.MinimumAttemptTime - Early && handOver <= scripted.MaximumAttemptTime + Late,
            $"SendGrid got the message {handOver.TotalMilliseconds:0} ms after the fifth SMTP attempt reached the server");
    }

    [Fact]
    public async Task Should_send_through_the_fallback_at_once_on_the_daily_limit()
    {
        var scripted = Retryable["daily limit"];
        await using var sendGrid = await StartSendGrid();
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid));
        scripted.Script(app.Smtp);
        var account = await app.ConnectAsync();

        var jobId = (await account.Send(Json.Message(subject: "Over quota"))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "successful");

        Assert.False(job.ContainsKey("reason"), $"A successful job has no reason: {job.ToJsonString()}");
        var attempts = AssertAttempts(job, ("smtp", "dailylimit"), ("sendgrid", "sent"));
        Assert.Contains(scripted.ReplyText!, attempts[0]!.Str("reply"));
        var seen = Assert.Single(scripted.Seen(app.Smtp));
        scripted.AssertNothingElse(app.Smtp);
        AssertSameMessage([seen], "Over quota");
        var received = AssertSentThroughFallback(sendGrid, "Over quota", seen);
        var handOver = received.ReceivedAt - seen.ReceivedAt;
        Assert.True(handOver >= TimeSpan.Zero && handOver < Wait(1) + Late,
            $"SendGrid got the message {handOver.TotalMilliseconds:0} ms after the provider reported its daily limit");
    }

    [Fact]
    public async Task Should_fail_at_once_with_invalid_authentication_and_never_fall_back()
    {
        await using var sendGrid = await StartSendGrid();
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid),
            new TestSmtpServerOptions { Username = "mailer", Password = "right-password" });

        await AssertFailsAtOnceWithInvalidAuthentication(app);

        AssertNothingAtFallback(sendGrid);
    }

    [Theory]
    [MemberData(nameof(PermanentCases), MemberType = typeof(FailureClasses))]
    public async Task Should_fail_at_once_with_the_providers_reply_and_never_fall_back(string failure)
    {
        await using var sendGrid = await StartSendGrid();
        await using var app = await OutboxBusApp.StartAsync(Settings(sendGrid));

        await AssertFailsAtOnceWithTheProvidersReply(app, failure);

        AssertNothingAtFallback(sendGrid);
    }

    [Fact]
    public async Task Should_make_no_further_attempt_once_cancelled_while_delayed()
    {
        await using var sendGrid = await StartSendGrid();
        await using var app = await OutboxBusApp.StartAsync(CancelWhileDelayed.Settings(sendGrid));
        var outcome = await CancelWhileDelayed.Run(app);

        Assert.Single(app.Smtp.Rejected);
        Assert.Empty(app.Smtp.Messages);
        Assert.Empty(app.Smtp.Unanswered);
        Assert.Equal(outcome.ConnectionsAtCancel, app.Smtp.ConnectionCount);
        AssertNothingAtFallback(sendGrid);
    }

    static async Task<TestSendGridServer> StartSendGrid()
    {
        var sendGrid = await TestSendGridServer.StartAsync();
        sendGrid.AddVerifiedSender(Sender);
        return sendGrid;
    }

    /// <summary>SendGrid got exactly one mail/send: this job's message, with the Message-ID of its SMTP attempts.</summary>
    static TestSendGridMessage AssertSentThroughFallback(TestSendGridServer sendGrid, string subject, ReceivedMessage smtpAttempt)
    {
        Assert.Equal(1, sendGrid.MailSendCount);
        var received = Assert.Single(sendGrid.Messages);
        Assert.Equal(subject, received.Subject);
        Assert.Equal(Sender, received.FromEmail);
        Assert.Equal([Recipient], received.To);
        Assert.Equal($"<{smtpAttempt.Message.MessageId}>", received.Headers["Message-ID"]);
        return received;
    }

    static void AssertNothingAtFallback(TestSendGridServer sendGrid)
    {
        Assert.Equal(0, sendGrid.MailSendCount);
        Assert.Empty(sendGrid.Messages);
    }
}
