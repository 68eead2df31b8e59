using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Webhooks;

/// <summary>
/// With the production default (<c>Webhooks:AllowLoopback=false</c>) a callback URL must reach a public address: no
/// loopback, private, link-local (cloud metadata) or reserved one, however it is written, and only http(s).
/// </summary>
public sealed class When_a_callback_url_is_not_public
{
    [Fact]
    public async Task Should_answer_400_without_calling_it_and_store_nothing()
    {
        await using var app = await Webhooks.StartAsync(new Dictionary<string, string?> { ["Webhooks:AllowLoopback"] = "false" });
        await using var receiver = await TestWebhookReceiver.StartAsync(OutboxBusApp.ClientSecret);
        using var client = app.Management();
        string[] urls =
        [
            $"http://127.0.0.1:{receiver.Port}/webhook",
            $"http://localhost:{receiver.Port}/webhook",
            $"http://[::1]:{receiver.Port}/webhook",
            $"http://[::ffff:127.0.0.1]:{receiver.Port}/webhook",
            $"http://2130706433:{receiver.Port}/webhook",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.1.2.3/webhook",
            "http://192.168.0.10/webhook",
            "http://100.64.0.1/webhook",
            "http://0.0.0.0/webhook",
            "ftp://example.com/webhook",
        ];

        foreach (var url in urls)
        {
            var response = await client.Create(url, ["job.successful"]);
            var error = await response.AssertNylasError(400);
            Assert.True(error.Str("message").Contains("public address", StringComparison.Ordinal) || url.StartsWith("ftp:", StringComparison.Ordinal),
                $"{url}: {error.ToJsonString()}");
        }

        Assert.Empty(receiver.Requests);
        Assert.Empty(await client.ListWebhooks());
    }
}
