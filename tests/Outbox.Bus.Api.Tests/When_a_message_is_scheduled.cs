using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

public sealed class When_a_message_is_scheduled
{
    [Fact]
    public async Task Should_be_received_by_the_smtp_server_at_send_at_and_become_successful()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 2;

        var message = Json.Message();
        message["send_at"] = sendAt;
        message["cc"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["email"] = "carol@example.com" });
        message["bcc"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["email"] = "dave@example.com" });
        var accepted = await account.Send(message);
        var jobId = accepted.Str("job_status_id");

        Assert.Equal("pending", accepted.Str("status"));
        Assert.Equal(sendAt, accepted["original_data"]!.Long("send_at"));
        Assert.Empty(app.Smtp.Messages);

        var received = await app.Smtp.WaitForMessageAsync(timeout: TimeSpan.FromSeconds(15));
        var job = await account.WaitForStatus(jobId, "successful");

        Assert.True(received.ReceivedAt.ToUnixTimeSeconds() >= sendAt, "the message must not leave before send_at");
        Assert.Equal(["bob@example.com", "carol@example.com", "dave@example.com"], received.RcptTo.Order());
        Assert.DoesNotContain(received.Message.Headers, h => h.Field == "Bcc");
        Assert.Equal("Hello", received.Message.Subject);
        Assert.Equal(job["metadata"]!.Str("message_id"), received.Message.MessageId);
        Assert.StartsWith(jobId, received.Message.MessageId ?? "");
        Assert.Equal("Hello Bob", received.Message.TextBody?.Trim());
        Assert.Equal("<p>Hello <b>Bob</b></p>", received.Message.HtmlBody);
    }

    [Fact]
    public async Task Should_leave_no_job_request_once_a_saga_has_taken_the_job()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 3600;

        var jobId = (await account.Send(message)).Str("job_status_id");
        var taken = await Eventually(() => CountRows(app, "JobRequests") == 0 && CountRows(app, "SendJobs") == 1);

        Assert.True(taken, "the saga's row replaces the API's request in one transaction");
        Assert.Equal("pending", (await account.WaitForStatus(jobId, "pending")).Str("status"));
    }

    static async Task<bool> Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            await Task.Delay(50);
        }
        return condition();
    }

    static long CountRows(OutboxBusApp app, string table) =>
        long.Parse(app.Query($"SELECT COUNT(*) FROM \"{table}\"")[0][0]!, System.Globalization.CultureInfo.InvariantCulture);
}
