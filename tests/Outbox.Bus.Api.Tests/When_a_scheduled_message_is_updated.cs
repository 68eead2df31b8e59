using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>PATCH</c> (what the SDK uses) and <c>PUT /v2/outbox/{id}</c>.</summary>
public sealed class When_a_scheduled_message_is_updated
{
    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task Should_answer_200_and_deliver_the_new_version_at_the_new_time(string method)
    {
        // A 1 s lock window lets the test move a job that is due in seconds.
        await using var app = await OutboxBusApp.StartAsync(new Dictionary<string, string?> { ["Jobs:UpdateLockWindow"] = "00:00:01" });
        var account = await app.ConnectAsync("sender@example.com", "Sender");
        var message = Json.Message(subject: "Old subject");
        message["send_at"] = Json.Now + 3;
        var jobId = (await account.Send(message)).Str("job_status_id");
        var newSendAt = Json.Now + 5;

        var response = await account.Update(method, jobId, new JsonObject { ["subject"] = "New subject", ["send_at"] = newSendAt });

        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        var updated = await response.ReadObject();
        Assert.Equal(jobId, updated.Str("job_status_id"));
        Assert.Equal(account.Id, updated.Str("account_id"));
        Assert.Equal("pending", updated.Str("status"));
        var data = updated["original_data"]!;
        Assert.Equal("New subject", data.Str("subject"));
        Assert.Equal("<p>Hello <b>Bob</b></p>", data.Str("body"));
        Assert.Equal([("bob@example.com", "Bob")], data["to"].People());
        Assert.Equal([("sender@example.com", "Sender")], data["from"].People());
        Assert.Equal(newSendAt, data.Long("send_at"));
        Assert.Equal(newSendAt, data.Long("original_send_at"));
        Assert.Equal(newSendAt + 86400, data.Long("retry_limit_datetime"));

        var job = await account.GetJob(jobId);
        Assert.Equal(newSendAt, job.Long("send_at"));
        Assert.Equal(newSendAt, job.Long("original_send_at"));
        Assert.Equal(newSendAt + 86400, job.Long("retry_limit_datetime"));
        ApiAssertions.AssertSameJson(data, job["original_data"]);

        var received = await app.Smtp.WaitForMessageAsync(timeout: TimeSpan.FromSeconds(15));
        await account.WaitForStatus(jobId, "successful");
        Assert.Equal("New subject", received.Message.Subject);
        Assert.True(received.ReceivedAt.ToUnixTimeSeconds() >= newSendAt,
            $"Delivered at {received.ReceivedAt.ToUnixTimeSeconds()}, before the new send_at {newSendAt}");
        Assert.Single(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task Should_keep_the_retry_limit_the_update_gives(string method)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await account.Send(message)).Str("job_status_id");
        var newSendAt = Json.Now + 1200;

        var response = await account.Update(method, jobId,
            new JsonObject { ["send_at"] = newSendAt, ["retry_limit_datetime"] = newSendAt + 3600 });

        Assert.Equal(200, (int)response.StatusCode);
        var data = (await response.ReadObject())["original_data"]!;
        Assert.Equal(newSendAt, data.Long("send_at"));
        Assert.Equal(newSendAt, data.Long("original_send_at"));
        Assert.Equal(newSendAt + 3600, data.Long("retry_limit_datetime"));
        Assert.Equal(newSendAt + 3600, (await account.GetJob(jobId)).Long("retry_limit_datetime"));
    }

    [Fact]
    public async Task Should_keep_the_recipients_when_a_patch_sends_empty_lists_as_the_sdk_does()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message(subject: "S1");
        message["from"] = ApiAssertions.Participant("alias@example.com", "Alias");
        message["cc"] = ApiAssertions.Participant("carol@example.com", "Carol");
        message["bcc"] = ApiAssertions.Participant("dave@example.com", null);
        message["reply_to"] = ApiAssertions.Participant("replies@example.com", "Replies");
        message["send_at"] = Json.Now + 600;
        var accepted = await account.Send(message);
        var original = accepted["original_data"]!;
        var newSendAt = Json.Now + 1200;
        // outbox.update(id, { updatedMessage: nylas.drafts.build({ subject: 'S2' }), sendAt }) as nylas@6.11.1 sends it.
        var sdkBody = $$"""
            {"subject":"S2","from":[],"reply_to":[],"to":[],"cc":[],"bcc":[],"date":null,"events":[],"labels":[],
             "file_ids":[],"send_at":{{newSendAt}}}
            """;

        var response = await account.Update("PATCH", accepted.Str("job_status_id"), Json.Raw(sdkBody));

        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        var data = (await response.ReadObject())["original_data"]!;
        Assert.Equal("S2", data.Str("subject"));
        Assert.Equal(original.Str("body"), data.Str("body"));
        foreach (var field in new[] { "from", "to", "cc", "bcc", "reply_to" })
            ApiAssertions.AssertSameJson(original[field], data[field]);
        Assert.Equal(newSendAt, data.Long("send_at"));
        Assert.Equal(newSendAt + 86400, data.Long("retry_limit_datetime"));
    }

    [Fact]
    public async Task Should_change_nothing_for_an_empty_patch()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 600;
        var message = Json.Message();
        message["send_at"] = sendAt;
        message["retry_limit_datetime"] = sendAt + 7200;
        var accepted = await account.Send(message);
        var jobId = accepted.Str("job_status_id");

        var response = await account.Update("PATCH", jobId, new JsonObject());

        Assert.True((int)response.StatusCode == 200, await response.Content.ReadAsStringAsync());
        ApiAssertions.AssertSameJson(accepted["original_data"], (await response.ReadObject())["original_data"]);
        var job = await account.GetJob(jobId);
        Assert.Equal(sendAt, job.Long("send_at"));
        Assert.Equal(sendAt, job.Long("original_send_at"));
        Assert.Equal(sendAt + 7200, job.Long("retry_limit_datetime"));
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task Should_answer_409_inside_the_lock_window_and_change_nothing(string method)
    {
        // The fixture's lock window is 5 s: a job due in 3 s is inside it.
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message(subject: "Locked");
        message["send_at"] = Json.Now + 3;
        var jobId = (await account.Send(message)).Str("job_status_id");
        var before = await account.GetJob(jobId);

        var response = await account.Update(method, jobId, new JsonObject { ["subject"] = "Too late", ["send_at"] = Json.Now + 600 });

        await response.AssertNylasError(409);
        var after = await account.GetJob(jobId);
        ApiAssertions.AssertSameJson(before["original_data"], after["original_data"]);
        Assert.Equal(before.Long("send_at"), after.Long("send_at"));
        var received = await app.Smtp.WaitForMessageAsync(timeout: TimeSpan.FromSeconds(15));
        Assert.Equal("Locked", received.Message.Subject);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task Should_answer_409_once_the_message_was_sent(string method)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var jobId = (await account.Send(Json.Message(subject: "Sent"))).Str("job_status_id");
        var before = await account.WaitForStatus(jobId, "successful");

        var response = await account.Update(method, jobId, new JsonObject { ["subject"] = "Too late", ["send_at"] = Json.Now + 600 });

        await response.AssertNylasError(409);
        ApiAssertions.AssertSameJson(before, await account.GetJob(jobId));
        Assert.Single(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("PATCH", "line break in subject")]
    [InlineData("PUT", "line break in subject")]
    [InlineData("PATCH", "retry limit more than 7 days after send_at")]
    [InlineData("PUT", "retry limit more than 7 days after send_at")]
    [InlineData("PATCH", "retry limit before send_at")]
    [InlineData("PATCH", "send_at in the past")]
    [InlineData("PATCH", "invalid address")]
    [InlineData("PUT", "line break in a name")]
    [InlineData("PATCH", "malformed json")]
    [InlineData("PUT", "json array")]
    [InlineData("PATCH", "duplicate key")]
    [InlineData("PATCH", "file_ids not empty")]
    [InlineData("PATCH", "tracking not an object")]
    public async Task Should_answer_400_to_bad_input_and_change_nothing(string method, string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 600;
        var message = Json.Message(subject: "Unchanged");
        message["send_at"] = sendAt;
        var jobId = (await account.Send(message)).Str("job_status_id");
        var before = await account.GetJob(jobId);
        var body = @case switch
        {
            "line break in subject" => new JsonObject { ["subject"] = "Changed\r\nBcc: evil@example.com" }.ToJsonString(),
            "retry limit more than 7 days after send_at" => new JsonObject { ["send_at"] = sendAt + 60, ["retry_limit_datetime"] = sendAt + 60 + 7 * 86400 + 1 }.ToJsonString(),
            "retry limit before send_at" => new JsonObject { ["retry_limit_datetime"] = sendAt - 1 }.ToJsonString(),
            "send_at in the past" => new JsonObject { ["send_at"] = Json.Now - 60 }.ToJsonString(),
            "invalid address" => new JsonObject { ["to"] = ApiAssertions.Participant("bob@", "Bob") }.ToJsonString(),
            "line break in a name" => new JsonObject { ["to"] = ApiAssertions.Participant("bob@example.com", "Bob\nBcc: evil@example.com") }.ToJsonString(),
            "malformed json" => """{"subject": "Changed" """,
            "json array" => "[]",
            "duplicate key" => """{"subject": "Changed", "subject": "Twice"}""",
            "file_ids not empty" => """{"subject": "Changed", "file_ids": ["f1"]}""",
            "tracking not an object" => """{"subject": "Changed", "tracking": "opens"}""",
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var response = await account.Update(method, jobId, Json.Raw(body));

        await response.AssertNylasError(400);
        ApiAssertions.AssertSameJson(before, await account.GetJob(jobId));
    }
}
