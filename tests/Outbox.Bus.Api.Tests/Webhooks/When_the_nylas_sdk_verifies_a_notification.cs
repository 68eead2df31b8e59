using System.Diagnostics;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>
/// The official Nylas Node SDK (nylas@6.11.1) checks a delivered notification with its own
/// <c>WebhookNotification.verifyWebhookSignature</c> and parses it with <c>WebhookNotification.fromJSON</c>
/// (tests/nylas-sdk/verify-signature.mjs).
/// </summary>
public sealed class When_the_nylas_sdk_verifies_a_notification
{
    [Fact]
    public async Task Should_accept_the_signature_and_read_the_job_from_the_notification()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "nylas-sdk");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "nylas")),
            $"The Nylas SDK is not installed: run the README test command (or `npm ci` in {folder}).");
        await using var app = await Webhooks.StartAsync();
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        await app.Subscribe(receiver, "job.successful");
        var account = await app.ConnectAsync();
        var jobId = (await account.Send(Json.Message())).Str("job_status_id");
        var notification = await receiver.WaitForNotificationAsync();
        var bodyFile = Path.Combine(app.DataDirectory, "notification.json");
        await File.WriteAllBytesAsync(bodyFile, notification.Body);

        var (valid, output) = await Verify(folder, bodyFile, notification.Signature!, OutboxBusApp.ClientSecret);
        var (tampered, _) = await Verify(folder, bodyFile, notification.Signature!.ToUpperInvariant(), OutboxBusApp.ClientSecret);
        var (otherSecret, _) = await Verify(folder, bodyFile, notification.Signature!, "another-secret");

        Assert.True(valid == 0, $"The SDK refused the signature (exit {valid}):\n{output}");
        Assert.NotEqual(0, tampered);
        Assert.NotEqual(0, otherSecret);
        var parsed = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.Equal("job.successful", parsed.Str("type"));
        Assert.Equal(account.Id, parsed.Str("accountId"));
        Assert.Equal(jobId, parsed.Str("jobStatusId"));
        Assert.Equal("new_outbox", parsed.Str("action"));
        Assert.False(string.IsNullOrEmpty(parsed.Str("messageId")));
        ApiAssertions.AssertNear(Json.Now, DateTimeOffset.Parse(parsed.Str("date"), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), 15);
    }

    static async Task<(int ExitCode, string Output)> Verify(string folder, string bodyFile, string signature, string secret)
    {
        var start = new ProcessStartInfo("node", ["verify-signature.mjs", bodyFile, signature])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OUTBOX_CLIENT_SECRET"] = secret;
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await node.WaitForExitAsync(timeout.Token);
        return (node.ExitCode, await output + await errors);
    }

    static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Outbox.Bus.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Outbox.Bus.sln not found above the test binaries");
    }
}
