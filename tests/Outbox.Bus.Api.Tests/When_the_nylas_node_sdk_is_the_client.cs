using System.Diagnostics;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests;

/// <summary>
/// The official Nylas Node SDK (nylas@6.11.1, installed by the test command) drives the API over a real socket:
/// connect.authorize/token, outbox.send (immediate and scheduled), outbox.update, outbox.delete, jobStatuses.find/list,
/// outbox.sendGridVerificationStatus, outbox.deleteSendGridSubUser, and webhook management (build/save, list, find,
/// update, delete) with a job.successful notification to the script's own receiver.
/// </summary>
public sealed class When_the_nylas_node_sdk_is_the_client
{
    [Fact]
    public async Task Should_pass_every_step_of_the_sdk_compatibility_script()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "nylas-sdk");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "nylas")),
            $"The Nylas SDK is not installed: run the README test command (or `npm ci` in {folder}).");

        // No application-level key: the script connects the account's own, which only this server accepts.
        await using var sendGrid = await TestSendGridServer.StartAsync("SG.sdk-account.key");
        sendGrid.AddVerifiedSender("sdk-user@example.com");
        await using var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?>
            {
                ["SendGrid:BaseUrl"] = sendGrid.BaseUrl,
                // The script's webhook receiver listens on loopback, which the SSRF guard refuses by default.
                ["Webhooks:AllowLoopback"] = "true",
            },
            kestrel: true);
        var server = app.ClientOptions.BaseAddress.ToString().TrimEnd('/');

        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=tap", "compat.test.mjs"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OUTBOX_API_SERVER"] = server;
        start.Environment["OUTBOX_CLIENT_ID"] = OutboxBusApp.ClientId;
        start.Environment["OUTBOX_CLIENT_SECRET"] = OutboxBusApp.ClientSecret;
        start.Environment["OUTBOX_SMTP_HOST"] = app.Smtp.Host;
        start.Environment["OUTBOX_SMTP_PORT"] = app.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["OUTBOX_ACCOUNT_EMAIL"] = "sdk-user@example.com";
        start.Environment["OUTBOX_SENDGRID_KEY"] = sendGrid.ApiKey;

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await node.WaitForExitAsync(timeout.Token);
        var report = await output + await errors;

        Assert.True(node.ExitCode == 0, $"The SDK script failed (exit {node.ExitCode}):\n{report}");
        Assert.Contains("# fail 0", report);
        Assert.Contains("# skipped 0", report);
        Assert.Matches(@"# pass (2[4-9]|[3-9]\d)", report);

        // The immediate send really left through SMTP.
        var received = await app.Smtp.WaitForMessageAsync();
        Assert.Contains("sdk-compat-recipient@example.com", received.RcptTo);
    }

    static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Outbox.Bus.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Outbox.Bus.sln not found above the test binaries");
    }
}
