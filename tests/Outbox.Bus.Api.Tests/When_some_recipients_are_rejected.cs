using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

public sealed class When_some_recipients_are_rejected
{
    [Fact]
    public async Task Should_send_to_the_others_and_list_the_rejected_ones_in_the_job()
    {
        await using var app = await OutboxBusApp.StartAsync();
        app.Smtp.RejectRecipient("carol@example.com", 550, "5.1.1 No such user");
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["cc"] = new JsonArray(new JsonObject { ["email"] = "carol@example.com" });

        var accepted = await account.Send(message);
        var job = await account.WaitForStatus(accepted.Str("job_status_id"), "successful");

        var received = Assert.Single(app.Smtp.Messages);
        Assert.Equal(["bob@example.com"], received.RcptTo);
        var rejected = Assert.Single(job["metadata"]!["rejected_recipients"]!.AsArray());
        Assert.StartsWith("carol@example.com rejected: 550", rejected!.GetValue<string>());
    }
}
