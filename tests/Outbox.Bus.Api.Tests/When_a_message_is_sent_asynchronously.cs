using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>POST /v2/send?sendnow=false</c> and its deprecated alias <c>POST /v2/outbox</c>: 202 with the job.</summary>
public sealed class When_a_message_is_sent_asynchronously
{
    static readonly string[] OriginalDataKeys =
        ["bcc", "body", "cc", "from", "original_send_at", "reply_to", "retry_limit_datetime", "send_at", "subject", "to"];

    [Theory]
    [InlineData("/v2/send?sendnow=false")]
    [InlineData("/v2/outbox")]
    public async Task Should_answer_202_with_the_job_and_echo_the_message(string path)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("sender@example.com", "Sender");
        var sendAt = Json.Now + 600;

        var message = new JsonObject
        {
            ["to"] = new JsonArray(new JsonObject { ["email"] = "bob@example.com", ["name"] = "Bob" },
                new JsonObject { ["email"] = "eve@example.com" }),
            ["cc"] = ApiAssertions.Participant("carol@example.com", "Carol"),
            ["bcc"] = ApiAssertions.Participant("dave@example.com", "Dave"),
            ["reply_to"] = ApiAssertions.Participant("replies@example.com", "Replies"),
            ["subject"] = "Quarterly report",
            ["body"] = "<p>Numbers</p>",
            ["send_at"] = sendAt,
        };
        var response = await account.Http.PostAsync(path, Json.Body(message));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 202, $"{(int)response.StatusCode}: {text}");
        var body = await response.ReadObject();
        Assert.Matches(new Regex("^[0-9a-z]{25}$"), body.Str("job_status_id"));
        Assert.Equal(account.Id, body.Str("account_id"));
        Assert.Equal("pending", body.Str("status"));

        var data = body["original_data"]!;
        Assert.Equal(OriginalDataKeys, data.Keys());
        Assert.Equal([("sender@example.com", "Sender")], data["from"].People());
        Assert.Equal([("bob@example.com", "Bob"), ("eve@example.com", null)], data["to"].People());
        Assert.Equal([("carol@example.com", "Carol")], data["cc"].People());
        Assert.Equal([("dave@example.com", "Dave")], data["bcc"].People());
        Assert.Equal([("replies@example.com", "Replies")], data["reply_to"].People());
        Assert.Equal("Quarterly report", data.Str("subject"));
        Assert.Equal("<p>Numbers</p>", data.Str("body"));
        Assert.Equal(sendAt, data.Long("send_at"));
        Assert.Equal(sendAt, data.Long("original_send_at"));
        Assert.Equal(sendAt + 86400, data.Long("retry_limit_datetime"));

        // The 202 means the job is durable: it is readable at once, the same as it was answered.
        var job = await account.GetJob(body.Str("job_status_id"));
        Assert.Equal("pending", job.Str("status"));
        ApiAssertions.AssertSameJson(data, job["original_data"]);
        Assert.Empty(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("absent")]
    [InlineData("empty")]
    public async Task Should_default_from_to_the_account_address_and_name(string from)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("alice@example.com", "Alice Liddell");
        var message = Json.Message();
        if (from == "empty")
            message["from"] = new JsonArray();
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        Assert.Equal([("alice@example.com", "Alice Liddell")], accepted["original_data"]!["from"].People());
    }

    [Fact]
    public async Task Should_keep_a_from_that_is_given()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("alice@example.com", "Alice");
        var message = Json.Message();
        message["from"] = ApiAssertions.Participant("alias@example.com", "Alias");
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        Assert.Equal([("alias@example.com", "Alias")], accepted["original_data"]!["from"].People());
    }

    [Fact]
    public async Task Should_echo_tracking_and_metadata_when_given()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var tracking = new JsonObject { ["opens"] = true, ["links"] = false, ["thread_replies"] = true, ["payload"] = "campaign-7" };
        var metadata = new JsonObject { ["order"] = "42", ["nested"] = new JsonObject { ["n"] = 1 } };
        var message = Json.Message();
        message["tracking"] = tracking.DeepClone();
        message["metadata"] = metadata.DeepClone();
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        ApiAssertions.AssertSameJson(tracking, accepted["original_data"]!["tracking"]);
        ApiAssertions.AssertSameJson(metadata, accepted["original_data"]!["metadata"]);
        var job = await account.GetJob(accepted.Str("job_status_id"));
        ApiAssertions.AssertSameJson(tracking, job["original_data"]!["tracking"]);
        ApiAssertions.AssertSameJson(metadata, job["original_data"]!["metadata"]);
    }

    [Fact]
    public async Task Should_leave_tracking_and_metadata_out_when_not_given()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;

        var accepted = await account.Send(message);

        Assert.False(accepted["original_data"]!.AsObject().ContainsKey("tracking"));
        Assert.False(accepted["original_data"]!.AsObject().ContainsKey("metadata"));
        var job = await account.GetJob(accepted.Str("job_status_id"));
        Assert.False(job["original_data"]!.AsObject().ContainsKey("tracking"));
        Assert.False(job["original_data"]!.AsObject().ContainsKey("metadata"));
    }

    [Fact]
    public async Task Should_accept_the_draft_fields_the_nylas_sdk_always_sends()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync("sender@example.com", "Sender");
        var sendAt = Json.Now + 600;
        // What nylas@6.11.1 draft.saveRequestBody() sends, with the keys it always includes.
        var sdkBody = $$"""
            {"subject":"S","from":[],"reply_to":[],"to":[{"name":"B","email":"b@example.com"}],"cc":[],"bcc":[],
             "date":null,"thread_id":"t1","snippet":"s","body":"B","unread":false,"starred":false,"events":[],"labels":[],
             "headers":{"X-Test":"1"},"version":0,"file_ids":[],"tracking":{"opens":true},
             "send_at":{{sendAt}},"retry_limit_datetime":{{sendAt + 3600}}}
            """;

        var response = await account.Http.PostAsync("/v2/outbox", Json.Raw(sdkBody));

        Assert.True((int)response.StatusCode == 202, await response.Content.ReadAsStringAsync());
        var data = (await response.ReadObject())["original_data"]!;
        Assert.Equal("S", data.Str("subject"));
        Assert.Equal("B", data.Str("body"));
        Assert.Equal([("sender@example.com", "Sender")], data["from"].People());
        Assert.Equal([("b@example.com", "B")], data["to"].People());
        Assert.Empty(data["cc"]!.AsArray());
        Assert.Equal(sendAt, data.Long("send_at"));
        Assert.Equal(sendAt + 3600, data.Long("retry_limit_datetime"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Should_accept_a_json_body_whatever_its_content_type(string contentType)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message(subject: "Plain");
        message["send_at"] = Json.Now + 600;

        var response = await account.Http.PostAsync("/v2/send?sendnow=false", Json.Raw(message.ToJsonString(), contentType));

        Assert.True((int)response.StatusCode == 202, await response.Content.ReadAsStringAsync());
        Assert.Equal("Plain", (await response.ReadObject())["original_data"]!.Str("subject"));
    }

    [Fact]
    public async Task Should_keep_unicode_in_the_subject_names_and_body_exactly()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        const string subject = "Grüße aus Köln – 東京 👋 \"quoted\" <tag>";
        const string body = "<p>Ünïcödé 🚀 &amp; \\ back\\slash</p>";
        var message = Json.Message(subject: subject);
        message["body"] = body;
        message["to"] = ApiAssertions.Participant("bob@example.com", "Björn Ø'Brien, Jr.");

        var accepted = await account.Send(message);
        var received = await app.Smtp.WaitForMessageAsync();
        var job = await account.WaitForStatus(accepted.Str("job_status_id"), "successful");

        Assert.Equal(subject, accepted["original_data"]!.Str("subject"));
        Assert.Equal(subject, job["original_data"]!.Str("subject"));
        Assert.Equal(body, job["original_data"]!.Str("body"));
        Assert.Equal([("bob@example.com", "Björn Ø'Brien, Jr.")], job["original_data"]!["to"].People());
        Assert.Equal(subject, received.Message.Subject);
        Assert.Equal(body, received.Message.HtmlBody);
        var to = Assert.Single(received.Message.To.Mailboxes);
        Assert.Equal("Björn Ø'Brien, Jr.", to.Name);
        Assert.Equal("bob@example.com", to.Address);
    }

    [Fact]
    public async Task Should_floor_fractional_times_to_the_second()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 600;
        var message = Json.Message();
        message["send_at"] = sendAt + 0.75;
        message["retry_limit_datetime"] = sendAt + 7200.9;

        var accepted = await account.Send(message);

        var data = accepted["original_data"]!;
        Assert.Equal(sendAt, data.Long("send_at"));
        Assert.Equal(sendAt, data.Long("original_send_at"));
        Assert.Equal(sendAt + 7200, data.Long("retry_limit_datetime"));
        var job = await account.GetJob(accepted.Str("job_status_id"));
        Assert.Equal(sendAt, job.Long("send_at"));
        Assert.Equal(sendAt + 7200, job.Long("retry_limit_datetime"));
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("absent")]
    [InlineData("within clock tolerance")]
    public async Task Should_take_send_at_zero_absent_or_just_past_as_now_and_send_it(string sendAt)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message(subject: "Right away");
        if (sendAt == "zero")
            message["send_at"] = 0;
        else if (sendAt == "within clock tolerance")
            message["send_at"] = Json.Now - 2; // the fixture's Api:ClockTolerance is 5 s
        var before = Json.Now;

        var accepted = await account.Send(message);

        var data = accepted["original_data"]!;
        Assert.InRange(data.Long("send_at"), before - 1, Json.Now + 1);
        Assert.Equal(data.Long("send_at"), data.Long("original_send_at"));
        Assert.Equal(data.Long("send_at") + 86400, data.Long("retry_limit_datetime"));
        var received = await app.Smtp.WaitForMessageAsync();
        Assert.Equal("Right away", received.Message.Subject);
        await account.WaitForStatus(accepted.Str("job_status_id"), "successful");
    }
}
