using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests;

/// <summary>What the job-status API shows while the saga retries, succeeds or gives up.</summary>
public sealed class When_delivery_is_retried
{
    [Fact]
    public async Task Should_become_delayed_then_successful_after_a_transient_refusal()
    {
        // A 1 s retry interval keeps "delayed" visible long enough for polling to see it.
        await using var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?> { ["Jobs:FirstRetryInterval"] = "00:00:01" });
        var account = await app.ConnectAsync();
        app.Smtp.RespondOnceWith(451, "4.3.0 Try again later");
        var jobId = (await account.Send(Json.Message(subject: "Eventually"))).Str("job_status_id");

        var delayed = await account.WaitForStatus(jobId, "delayed");
        var successful = await account.WaitForStatus(jobId, "successful");

        Assert.Contains("451", delayed.Str("reason"));
        var failedAttempt = Assert.Single(delayed["metadata"]!["attempts"]!.AsArray())!;
        Assert.Equal("transient", failedAttempt.Str("outcome"));
        Assert.Contains("4.3.0 Try again later", failedAttempt.Str("reply"));

        Assert.False(successful.ContainsKey("reason"));
        var attempts = successful["metadata"]!["attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        Assert.Equal([1L, 2L], attempts.Select(a => a!.Long("attempt")));
        Assert.Equal(["transient", "sent"], attempts.Select(a => a!.Str("outcome")));
        Assert.All(attempts, a => Assert.Equal("smtp", a!.Str("route")));
        Assert.True(attempts[1]!.Long("at") >= attempts[0]!.Long("at"));
        Assert.Single(app.Smtp.Rejected);
        Assert.Equal("Eventually", Assert.Single(app.Smtp.Messages).Message.Subject);
    }

    [Fact]
    public async Task Should_fail_at_once_with_invalid_authentication_when_the_server_refuses_the_credentials()
    {
        await using var app = await OutboxBusApp.StartAsync(smtp: new TestSmtpServerOptions { Username = "mailer", Password = "right-password" });
        var account = await app.ConnectAsync(smtpUsername: "mailer", smtpPassword: "wrong-password");

        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "failed");

        Assert.Equal("Invalid authentication", job.Str("reason"));
        var attempt = Assert.Single(job["metadata"]!["attempts"]!.AsArray())!;
        Assert.Equal("authentication", attempt.Str("outcome"));
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_fail_later_jobs_of_the_account_until_it_is_connected_again()
    {
        await using var app = await OutboxBusApp.StartAsync(smtp: new TestSmtpServerOptions { Username = "mailer", Password = "right-password" });
        var account = await app.ConnectAsync(smtpUsername: "mailer", smtpPassword: "wrong-password");
        var first = (await account.Send(Json.Message(subject: "First"))).Str("job_status_id");
        await account.WaitForStatus(first, "failed");

        var second = (await account.Send(Json.Message(subject: "Second"))).Str("job_status_id");
        var secondJob = await account.WaitForStatus(second, "failed");
        var reconnected = await app.ConnectAsync(smtpUsername: "mailer", smtpPassword: "right-password");
        var third = (await reconnected.Send(Json.Message(subject: "Third"))).Str("job_status_id");
        await reconnected.WaitForStatus(third, "successful");

        Assert.Equal("Invalid authentication", secondJob.Str("reason"));
        Assert.Equal(account.Id, reconnected.Id);
        Assert.Equal("Third", Assert.Single(app.Smtp.Messages).Message.Subject);
    }

    [Fact]
    public async Task Should_fail_with_reached_retry_limit_when_the_refusals_outlast_it()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        app.Smtp.RespondWith(451, "4.3.0 Try again later");
        var sendAt = Json.Now;
        var retryLimit = sendAt + 3;
        var message = Json.Message();
        message["send_at"] = sendAt;
        message["retry_limit_datetime"] = retryLimit;

        var jobId = (await account.Send(message)).Str("job_status_id");
        var job = await account.WaitForStatus(jobId, "failed", TimeSpan.FromSeconds(20));

        Assert.Equal("Reached retry limit datetime", job.Str("reason"));
        var attempts = job["metadata"]!["attempts"]!.AsArray();
        Assert.True(attempts.Count >= 2, $"expected several attempts: {attempts.ToJsonString()}");
        Assert.All(attempts, a => Assert.Equal("transient", a!.Str("outcome")));
        Assert.All(attempts, a => Assert.True(a!.Long("at") <= retryLimit, "no attempt starts after the retry limit"));
        Assert.Equal(attempts.Count, app.Smtp.Rejected.Count);
        Assert.Empty(app.Smtp.Messages);
    }
}
