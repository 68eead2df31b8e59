using System.Globalization;
using System.Text.Json.Nodes;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Infrastructure;

/// <summary>
/// The failure classes of the README's "Retries and the fallback", scripted on the real SMTP server, and a compressed
/// retry schedule stated here, not inherited from the fixture, so the spacing the tests expect is the one configured.
/// </summary>
public static class FailureClasses
{
    public const string Sender = "sender@example.com";
    public const string Recipient = "bob@example.com";

    public static readonly TimeSpan FirstRetryInterval = TimeSpan.FromMilliseconds(200);
    public const double RetryMultiplier = 2;
    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromMilliseconds(800);

    // Short, so a hanging server costs little; not shorter, because a loaded machine must still get through
    // connect, EHLO and DATA well within it.
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // An attempt must never come early. It may come late: the outbox polls every 100 ms, and CI machines are loaded.
    public static readonly TimeSpan Early = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan Late = TimeSpan.FromSeconds(2);

    // The first attempt also pays for warming the host up (JIT, the first SMTP connection), which later ones do not.
    public static readonly TimeSpan FirstAttemptLate = TimeSpan.FromSeconds(5);

    public static Dictionary<string, string?> Settings(TestSendGridServer? fallback = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:FirstRetryInterval"] = FirstRetryInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Jobs:RetryMultiplier"] = RetryMultiplier.ToString(CultureInfo.InvariantCulture),
            ["Jobs:MaxRetryInterval"] = MaxRetryInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Smtp:CommandTimeout"] = CommandTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        if (fallback is not null)
        {
            settings["SendGrid:ApiKey"] = fallback.ApiKey;
            settings["SendGrid:BaseUrl"] = fallback.BaseUrl;
        }
        return settings;
    }

    /// <summary>The wait before the next attempt after <paramref name="failures"/> failures on the same route.</summary>
    public static TimeSpan Wait(int failures)
    {
        var wait = FirstRetryInterval * Math.Pow(RetryMultiplier, failures - 1);
        return wait > MaxRetryInterval ? MaxRetryInterval : wait;
    }

    /// <summary>Failures that are retried: transient ones, and the daily limit (which, without a fallback, is retried alike).</summary>
    public static readonly IReadOnlyDictionary<string, RetryableFailure> Retryable = new Dictionary<string, RetryableFailure>
    {
        ["421 service not available"] = RetryableFailure.Reply("transient", 421, "4.7.0 Service not available, try again later"),
        ["450 mailbox busy"] = RetryableFailure.Reply("transient", 450, "4.2.1 Mailbox busy, try again later"),
        ["451 local error"] = RetryableFailure.Reply("transient", 451, "4.3.0 Local error in processing"),
        ["hang after data"] = RetryableFailure.Fault(SmtpFault.Hang,
            // The client gives up after its command timeout, less the moment between its last byte and the server's record.
            minimum: CommandTimeout - TimeSpan.FromMilliseconds(100), maximum: CommandTimeout),
        ["drop after data"] = RetryableFailure.Fault(SmtpFault.Drop, TimeSpan.Zero, TimeSpan.Zero),
        ["daily limit"] = RetryableFailure.Reply("dailylimit", 550, "5.4.5 Daily user sending quota exceeded"),
    };

    public static TheoryData<string> Transient => new(Retryable.Keys.Where(k => Retryable[k].Outcome == "transient"));

    public static TheoryData<string> RetriedWithoutFallback => new(Retryable.Keys);

    /// <summary>Permanent failures: the script and what the job's reason must quote of the provider's reply.</summary>
    public static readonly IReadOnlyDictionary<string, PermanentFailure> Permanent = new Dictionary<string, PermanentFailure>
    {
        // Refused at RCPT TO: the message never reaches DATA.
        ["every recipient rejected"] = new(s => s.RejectRecipient(Recipient, 550, "5.1.1 Mailbox unavailable"),
            "550 5.1.1 Mailbox unavailable", ReachesData: false),
        ["message too large"] = new(s => s.RespondWith(552, "5.3.4 Message size exceeds fixed limit"),
            "552 5.3.4 Message size exceeds fixed limit", ReachesData: true),
    };

    public static TheoryData<string> PermanentCases => new(Permanent.Keys);

    public static JsonArray Attempts(this JsonObject job) => job["metadata"]!["attempts"]!.AsArray();

    /// <summary>The job's attempts are numbered 1..n and went these routes with these outcomes, in order.</summary>
    public static JsonArray AssertAttempts(JsonObject job, params (string Route, string Outcome)[] expected)
    {
        var attempts = job.Attempts();
        var context = attempts.ToJsonString();
        Assert.True(expected.Length == attempts.Count, $"Expected {expected.Length} attempts, got {attempts.Count}: {context}");
        Assert.True(Enumerable.Range(1, expected.Length).Select(i => (long)i).SequenceEqual(attempts.Select(a => a!.Long("attempt"))),
            $"Attempts are not numbered 1..{expected.Length}: {context}");
        Assert.True(expected.SequenceEqual(attempts.Select(a => (a!.Str("route"), a!.Str("outcome")))),
            $"Expected (route, outcome) {string.Join(", ", expected)}; got {context}");
        return attempts;
    }

    public static (string, string)[] Repeat(int count, string route, string outcome) =>
        Enumerable.Repeat((route, outcome), count).ToArray();

    /// <summary>
    /// Each gap between consecutive arrivals is the wait the schedule prescribes after that many failures (plus what a
    /// failing attempt itself takes): never shorter, and not much longer.
    /// </summary>
    public static void AssertSpacing(IReadOnlyList<DateTimeOffset> arrivals, RetryableFailure failure)
    {
        var timeline = string.Join(", ", arrivals.Select(a => a.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)));
        for (var i = 1; i < arrivals.Count; i++)
        {
            var gap = arrivals[i] - arrivals[i - 1];
            var wait = Wait(i);
            var earliest = wait + failure.MinimumAttemptTime - Early;
            var latest = wait + failure.MaximumAttemptTime + Late;
            Assert.True(gap >= earliest && gap <= latest,
                $"Attempt {i + 1} came {gap.TotalMilliseconds:0} ms after attempt {i}; the schedule waits {wait.TotalMilliseconds:0} ms " +
                $"(allowed {earliest.TotalMilliseconds:0}..{latest.TotalMilliseconds:0} ms). Arrivals: {timeline}");
        }
    }

    /// <summary>The same message, from the account to the recipient, every time: a retry resends the job, not something else.</summary>
    public static void AssertSameMessage(IReadOnlyList<ReceivedMessage> received, string subject)
    {
        Assert.All(received, m =>
        {
            Assert.Equal(Sender, m.MailFrom);
            Assert.Equal([Recipient], m.RcptTo);
            Assert.Equal(subject, m.Message.Subject);
        });
        Assert.Single(received.Select(m => m.Message.MessageId).Distinct());
    }

    public static DateTimeOffset At(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    /// <summary>A job of an account connected with a wrong SMTP password (the server wants mailer / right-password) fails
    /// at once: one authentication attempt, nothing sent, no connection after the first retry wait.</summary>
    public static async Task AssertFailsAtOnceWithInvalidAuthentication(OutboxBusApp app)
    {
        var account = await app.ConnectAsync(smtpUsername: "mailer", smtpPassword: "wrong-password");

        var jobId = (await account.Send(Json.Message(subject: "Wrong password"))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "failed");
        var connections = app.Smtp.ConnectionCount;
        // Longer than the first retry wait: a retry or a hand-over would have arrived by now.
        await Task.Delay(Wait(1) + TimeSpan.FromSeconds(1));

        Assert.Equal("Invalid authentication", job.Str("reason"));
        var attempt = Assert.Single(AssertAttempts(job, ("smtp", "authentication")))!;
        Assert.Contains("535", attempt.Str("reply"));
        Assert.Empty(app.Smtp.Messages);
        Assert.Empty(app.Smtp.Rejected);
        Assert.Empty(app.Smtp.Unanswered);
        Assert.Equal(connections, app.Smtp.ConnectionCount);
        Assert.Equal("failed", (await account.GetJob(jobId)).Str("status"));
    }

    /// <summary>A permanent refusal fails the job at once with the provider's reply as the reason, and nothing changes
    /// after the first retry wait.</summary>
    public static async Task AssertFailsAtOnceWithTheProvidersReply(OutboxBusApp app, string failure)
    {
        var scripted = Permanent[failure];
        scripted.Script(app.Smtp);
        var account = await app.ConnectAsync();

        var jobId = (await account.Send(Json.Message(subject: failure))).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "failed");
        await Task.Delay(Wait(1) + TimeSpan.FromSeconds(1));

        Assert.Contains(scripted.Reply, job.Str("reason"));
        Assert.NotEqual("Reached retry limit datetime", job.Str("reason"));
        var attempt = Assert.Single(AssertAttempts(job, ("smtp", "permanent")))!;
        Assert.Contains(scripted.Reply, attempt.Str("reply"));
        Assert.Empty(app.Smtp.Messages);
        Assert.Empty(app.Smtp.Unanswered);
        if (scripted.ReachesData)
            AssertSameMessage([Assert.Single(app.Smtp.Rejected).Received], failure);
        else
            Assert.Empty(app.Smtp.Rejected);
        ApiAssertions.AssertSameJson(job, await account.GetJob(jobId));
    }
}

public enum SmtpRecord
{
    // Refused with a reply at the end of DATA: TestSmtpServer.Rejected.
    Rejected,

    // No reply to DATA at all: TestSmtpServer.Unanswered.
    Unanswered,
}

/// <param name="Outcome">The attempt's outcome in <c>metadata.attempts</c>.</param>
/// <param name="ReplyText">What each attempt's <c>reply</c> must carry, when the server replied at all.</param>
/// <param name="MinimumAttemptTime">How long an attempt lasts, at least, from the server's record of its DATA to its failure.</param>
public sealed record RetryableFailure(string Outcome, string? ReplyText, SmtpRecord RecordedAs, TimeSpan MinimumAttemptTime,
    TimeSpan MaximumAttemptTime, Action<TestSmtpServer> Script)
{
    public static RetryableFailure Reply(string outcome, int code, string text) =>
        new(outcome, $"{code} {text}", SmtpRecord.Rejected, TimeSpan.Zero, TimeSpan.Zero, s => s.RespondWith(code, text));

    public static RetryableFailure Fault(SmtpFault fault, TimeSpan minimum, TimeSpan maximum) =>
        new("transient", null, SmtpRecord.Unanswered, minimum, maximum, s => s.FaultWith(fault));

    /// <summary>What the SMTP server recorded of the attempts, in arrival order.</summary>
    public IReadOnlyList<ReceivedMessage> Seen(TestSmtpServer smtp) =>
        RecordedAs == SmtpRecord.Rejected ? smtp.Rejected.Select(r => r.Received).ToArray() : smtp.Unanswered;

    /// <summary>Whatever this failure does not record, the server must not have recorded either.</summary>
    public void AssertNothingElse(TestSmtpServer smtp)
    {
        Assert.Empty(smtp.Messages);
        if (RecordedAs == SmtpRecord.Rejected)
            Assert.Empty(smtp.Unanswered);
        else
            Assert.Empty(smtp.Rejected);
    }
}

/// <param name="Reply">The provider's reply, which the job's reason must quote.</param>
/// <param name="ReachesData">Whether the message gets as far as DATA (and so into TestSmtpServer.Rejected).</param>
public sealed record PermanentFailure(Action<TestSmtpServer> Script, string Reply, bool ReachesData);
