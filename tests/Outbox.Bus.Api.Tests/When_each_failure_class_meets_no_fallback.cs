using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;
using static Outbox.Bus.Api.Tests.Infrastructure.FailureClasses;

namespace Outbox.Bus.Api.Tests;

/// <summary>
/// Every failure class of the README's retry table against the real SMTP server, with no fallback connected: what the
/// job shows, when each attempt reached the server, and how the job ends.
/// </summary>
public sealed class When_each_failure_class_meets_no_fallback
{
    [Theory]
    [MemberData(nameof(RetriedWithoutFallback), MemberType = typeof(FailureClasses))]
    public async Task Should_retry_on_the_schedule_until_the_retry_limit(string failure)
    {
        var scripted = Retryable[failure];
        await using var app = await OutboxBusApp.StartAsync(Settings());
        scripted.Script(app.Smtp);
        var account = await app.ConnectAsync();
        var sendAt = Json.Now;
        // Seconds, as the API takes it: room for several attempts even when every one hangs and the host starts cold.
        var retryLimit = sendAt + 8;
        var message = Json.Message(subject: failure);
        message["send_at"] = sendAt;
        message["retry_limit_datetime"] = retryLimit;

        var posted = DateTimeOffset.UtcNow;
        var jobId = (await account.Send(message)).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "failed", TimeSpan.FromSeconds(20));

        Assert.Equal("Reached retry limit datetime", job.Str("reason"));
        var count = job.Attempts().Count;
        Assert.True(count >= 3, $"Expected several attempts before the retry limit: {job.Attempts().ToJsonString()}");
        var attempts = AssertAttempts(job, Repeat(count, "smtp", scripted.Outcome));
        if (scripted.ReplyText is { } reply)
            Assert.All(attempts, a => Assert.Contains(reply, a!.Str("reply")));

        var seen = scripted.Seen(app.Smtp);
        Assert.Equal(count, seen.Count);
        scripted.AssertNothingElse(app.Smtp);
        AssertSameMessage(seen, failure);

        var arrivals = seen.Select(m => m.ReceivedAt).ToArray();
        Assert.True(arrivals[0] - posted < FirstAttemptLate, $"The first attempt came {(arrivals[0] - posted).TotalMilliseconds:0} ms after the POST");
        AssertSpacing(arrivals, scripted);
        // The limit is checked when an attempt starts; the server records its DATA a moment later.
        Assert.All(arrivals, a => Assert.True(a <= At(retryLimit) + TimeSpan.FromSeconds(1),
            $"An attempt reached the server at {a:HH:mm:ss.fff}, after the retry limit {At(retryLimit):HH:mm:ss}"));
        // It gave up only because the next wait would have ended past the limit.
        var wouldBeNext = arrivals[^1] + scripted.MaximumAttemptTime + Wait(count) + Late;
        Assert.True(wouldBeNext > At(retryLimit),
            $"The job gave up at attempt {count} ({arrivals[^1]:HH:mm:ss.fff}) although another fitted before {At(retryLimit):HH:mm:ss}");
    }

    [Fact]
    public async Task Should_count_a_drop_after_data_on_a_reused_connection_as_a_failed_attempt()
    {
        var scripted = Retryable["drop after data"];
        await using var app = await OutboxBusApp.StartAsync(Settings());
        var account = await app.ConnectAsync();
        // A sent message leaves its connection in the pool, so the next job's first attempt reuses it.
        var warmUp = (await account.Send(Json.Message(subject: "Warm-up"))).Str("job_status_id");
        await account.WaitForStatus(warmUp, "successful");
        app.Smtp.FaultOnce(SmtpFault.Drop);

        var jobId = (await account.Send(Json.Message(subject: "Dropped once"))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "successful");

        var pooled = Assert.Single(app.Smtp.Messages, m => m.Message.Subject == "Warm-up");
        var dropped = Assert.Single(app.Smtp.Unanswered);
        Assert.Equal(pooled.SessionId, dropped.SessionId);
        // The whole message had arrived when the line went dead: sending it again at once, on a fresh connection, is a
        // second delivery inside one attempt, off the schedule and invisible in metadata.attempts.
        var resent = Assert.Single(app.Smtp.Messages, m => m.Message.Subject == "Dropped once");
        AssertAttempts(job, ("smtp", "transient"), ("smtp", "sent"));
        AssertSpacing([dropped.ReceivedAt, resent.ReceivedAt], scripted);
        Assert.Equal(dropped.Message.MessageId, resent.Message.MessageId);
    }

    [Fact]
    public async Task Should_fail_at_once_with_invalid_authentication()
    {
        await using var app = await OutboxBusApp.StartAsync(Settings(),
            new TestSmtpServerOptions { Username = "mailer", Password = "right-password" });

        await AssertFailsAtOnceWithInvalidAuthentication(app);
    }

    [Theory]
    [MemberData(nameof(PermanentCases), MemberType = typeof(FailureClasses))]
    public async Task Should_fail_at_once_with_the_providers_reply(string failure)
    {
        await using var app = await OutboxBusApp.StartAsync(Settings());

        await AssertFailsAtOnceWithTheProvidersReply(app, failure);
    }

    [Fact]
    public async Task Should_make_no_further_attempt_once_cancelled_while_delayed()
    {
        await using var app = await OutboxBusApp.StartAsync(CancelWhileDelayed.Settings());
        var outcome = await CancelWhileDelayed.Run(app);

        Assert.Single(app.Smtp.Rejected);
        Assert.Empty(app.Smtp.Messages);
        Assert.Empty(app.Smtp.Unanswered);
        Assert.Equal(outcome.ConnectionsAtCancel, app.Smtp.ConnectionCount);
    }
}
