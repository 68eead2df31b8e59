using System.Globalization;
using System.Text.Json.Nodes;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Infrastructure;

/// <summary>
/// DELETE between a failed attempt and the retry it scheduled, shared by both configurations: the same steps and
/// checks, the caller adds what each server must not have received.
/// </summary>
public static class CancelWhileDelayed
{
    // Longer than the other tests' waits: the job has to be in "delayed", not already retrying, when the DELETE lands,
    // even on a loaded machine.
    public static readonly TimeSpan RetryWait = TimeSpan.FromSeconds(2);

    public static Dictionary<string, string?> Settings(TestSendGridServer? fallback = null)
    {
        var settings = FailureClasses.Settings(fallback);
        settings["Jobs:FirstRetryInterval"] = RetryWait.ToString("c", CultureInfo.InvariantCulture);
        settings["Jobs:MaxRetryInterval"] = RetryWait.ToString("c", CultureInfo.InvariantCulture);
        return settings;
    }

    public sealed record Outcome(JsonObject Cancelled, int ConnectionsAtCancel);

    /// <summary>Fails the first attempt, cancels while delayed, then waits until past the retry that was due.</summary>
    public static async Task<Outcome> Run(OutboxBusApp app)
    {
        app.Smtp.RespondWith(451, "4.3.0 Local error in processing");
        var account = await app.ConnectAsync();
        var jobId = (await account.Send(Json.Message(subject: "Cancelled while delayed"))).Str("job_status_id");

        var delayed = await account.WaitForStatus(jobId, "delayed");
        var response = await account.Cancel(jobId);
        var connections = app.Smtp.ConnectionCount;

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"DELETE while delayed answered {(int)response.StatusCode}: {body}");
        var cancelled = (JsonObject)JsonNode.Parse(body)!;
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal("Cancelled by user", cancelled.Str("reason"));
        FailureClasses.AssertAttempts(delayed, ("smtp", "transient"));
        FailureClasses.AssertAttempts(cancelled, ("smtp", "transient"));

        var failed = Assert.Single(app.Smtp.Rejected).Received;
        var nextDue = failed.ReceivedAt + RetryWait;
        // The job showed when its retry was due (whole seconds, rounded down).
        ApiAssertions.AssertNear(nextDue.ToUnixTimeSeconds(), delayed.Long("send_at"), tolerance: 1);

        // Past the retry the job had scheduled, with the same room for lateness the spacing checks allow.
        var untilPastDue = nextDue + FailureClasses.Late - DateTimeOffset.UtcNow;
        if (untilPastDue > TimeSpan.Zero)
            await Task.Delay(untilPastDue);

        var after = await account.GetJob(jobId);
        Assert.Equal("cancelled", after.Str("status"));
        FailureClasses.AssertAttempts(after, ("smtp", "transient"));
        return new Outcome(cancelled, connections);
    }
}
