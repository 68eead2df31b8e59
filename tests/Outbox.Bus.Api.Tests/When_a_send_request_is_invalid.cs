using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>Every input rule answers 400 in the Nylas error shape, and nothing is created or sent.</summary>
public sealed class When_a_send_request_is_invalid
{
    /// <summary>The raw body of each case; built at run time because some depend on the clock.</summary>
    static string BodyFor(string @case)
    {
        var now = Json.Now;
        JsonObject With(Action<JsonObject> change)
        {
            var message = Json.Message();
            change(message);
            return message;
        }

        return @case switch
        {
            "malformed json" => """{"to": [{"email": "bob@example.com"}], "subject": """,
            "not json" => "to=bob@example.com&subject=Hi",
            "empty body" => "",
            "json array" => $"[{Json.Message().ToJsonString()}]",
            "json string" => "\"hello\"",
            "json number" => "42",
            "json null" => "null",
            "duplicate key" => """{"to": [{"email": "bob@example.com"}], "subject": "One", "subject": "Two"}""",
            "recipient is null" => With(m => m["to"] = new JsonArray((JsonNode?)null)).ToJsonString(),
            "subject is a number" => With(m => m["subject"] = 5).ToJsonString(),
            "send_at is a boolean" => With(m => m["send_at"] = true).ToJsonString(),
            "send_at beyond year 9999" => With(m => m["send_at"] = 1e12).ToJsonString(),
            "subject longer than 998 characters" => With(m => m["subject"] = new string('s', 999)).ToJsonString(),
            "name longer than 256 characters" => With(m => m["to"] = ApiAssertions.Participant("bob@example.com", new string('n', 257))).ToJsonString(),
            "address longer than 320 characters" => With(m => m["to"] = ApiAssertions.Participants(new string('b', 309) + "@example.com")).ToJsonString(),
            "to is not a list" => With(m => m["to"] = "bob@example.com").ToJsonString(),
            "send_at is a string" => With(m => m["send_at"] = (now + 600).ToString()).ToJsonString(),
            "no recipient field" => With(m => m.Remove("to")).ToJsonString(),
            "only empty recipient lists" => With(m =>
            {
                m["to"] = new JsonArray();
                m["cc"] = new JsonArray();
                m["bcc"] = new JsonArray();
            }).ToJsonString(),
            "recipient without email" => With(m => m["to"] = new JsonArray(new JsonObject { ["name"] = "Bob" })).ToJsonString(),
            "recipient with blank email" => With(m => m["to"] = ApiAssertions.Participant("  ", "Bob")).ToJsonString(),
            "send_at in the past" => With(m => m["send_at"] = now - 60).ToJsonString(),
            "send_at negative" => With(m => m["send_at"] = -5).ToJsonString(),
            "retry_limit_datetime before send_at" => With(m =>
            {
                m["send_at"] = now + 600;
                m["retry_limit_datetime"] = now + 599;
            }).ToJsonString(),
            "retry_limit_datetime before now without send_at" => With(m => m["retry_limit_datetime"] = now - 60).ToJsonString(),
            "retry_limit_datetime more than 7 days after send_at" => With(m =>
            {
                m["send_at"] = now + 600;
                m["retry_limit_datetime"] = now + 600 + 7 * 86400 + 1;
            }).ToJsonString(),
            "file_ids not empty" => With(m => m["file_ids"] = new JsonArray("f1a2b3")).ToJsonString(),
            "tracking is a string" => With(m => m["tracking"] = "opens").ToJsonString(),
            "tracking is a list" => With(m => m["tracking"] = new JsonArray("opens")).ToJsonString(),
            "tracking is a boolean" => With(m => m["tracking"] = true).ToJsonString(),
            "metadata is a number" => With(m => m["metadata"] = 7).ToJsonString(),
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, null),
        };
    }

    [Theory]
    [InlineData("malformed json")]
    [InlineData("not json")]
    [InlineData("empty body")]
    [InlineData("json array")]
    [InlineData("json string")]
    [InlineData("json number")]
    [InlineData("json null")]
    [InlineData("duplicate key")]
    [InlineData("recipient is null")]
    [InlineData("subject is a number")]
    [InlineData("send_at is a boolean")]
    [InlineData("send_at beyond year 9999")]
    [InlineData("subject longer than 998 characters")]
    [InlineData("name longer than 256 characters")]
    [InlineData("address longer than 320 characters")]
    [InlineData("to is not a list")]
    [InlineData("send_at is a string")]
    [InlineData("no recipient field")]
    [InlineData("only empty recipient lists")]
    [InlineData("recipient without email")]
    [InlineData("recipient with blank email")]
    [InlineData("send_at in the past")]
    [InlineData("send_at negative")]
    [InlineData("retry_limit_datetime before send_at")]
    [InlineData("retry_limit_datetime before now without send_at")]
    [InlineData("retry_limit_datetime more than 7 days after send_at")]
    [InlineData("file_ids not empty")]
    [InlineData("tracking is a string")]
    [InlineData("tracking is a list")]
    [InlineData("tracking is a boolean")]
    [InlineData("metadata is a number")]
    public async Task Should_answer_400_and_create_nothing(string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.PostAsync("/v2/outbox", Json.Raw(BodyFor(@case)));

        await response.AssertNylasError(400);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("/v2/send?sendnow=false", "only empty recipient lists")]
    [InlineData("/v2/send?sendnow=true", "only empty recipient lists")]
    [InlineData("/v2/send?sendnow=true", "malformed json")]
    [InlineData("/v2/send?sendnow=true", "retry_limit_datetime more than 7 days after send_at")]
    [InlineData("/v2/send", "json array")]
    public async Task Should_answer_400_and_create_nothing_on_every_send_path(string path, string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.PostAsync(path, Json.Raw(BodyFor(@case)));

        await response.AssertNylasError(400);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("to", "bob")]
    [InlineData("to", "bob@")]
    [InlineData("to", "@x.com")]
    [InlineData("to", "a b@x.com")]
    [InlineData("to", "<bob@x.com>")]
    [InlineData("to", "Bob <bob@x.com>")]
    [InlineData("to", "bob@x.com, eve@x.com")]
    [InlineData("cc", "bob@")]
    [InlineData("bcc", "@x.com")]
    [InlineData("from", "a b@x.com")]
    [InlineData("reply_to", "<bob@x.com>")]
    public async Task Should_answer_400_for_an_invalid_address(string field, string address)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message[field] = ApiAssertions.Participant(address, "Someone");

        var response = await account.Http.PostAsync("/v2/outbox", Json.Body(message));

        var error = await response.AssertNylasError(400);
        Assert.Contains(field, error.Str("message"));
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Theory]
    [InlineData("subject", "Hello\r\nBcc: evil@x.com")]
    [InlineData("subject", "Hello\nthere")]
    [InlineData("subject", "Hello\rthere")]
    [InlineData("to name", "Bob\r\nBcc: evil@x.com")]
    [InlineData("cc name", "Carol\n")]
    [InlineData("from name", "Sender\rX")]
    [InlineData("reply_to name", "Replies\r\n")]
    [InlineData("to address", "bob@example.com\r\nBcc: evil@x.com")]
    [InlineData("bcc address", "dave@example.com\n")]
    [InlineData("to address", "\rbob@example.com")]
    public async Task Should_answer_400_for_a_line_break_in_a_header_value(string where, string value)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        var parts = where.Split(' ');
        if (where == "subject")
            message["subject"] = value;
        else if (parts[1] == "name")
            message[parts[0]] = ApiAssertions.Participant($"{parts[0].Replace("_", "")}@example.com", value);
        else
            message[parts[0]] = ApiAssertions.Participant(value, "Someone");

        var response = await account.Http.PostAsync("/v2/outbox", Json.Body(message));

        await response.AssertNylasError(400);
        await account.AssertNoJobs();
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_accept_a_retry_limit_of_exactly_7_days_after_send_at()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var sendAt = Json.Now + 600;
        var message = Json.Message();
        message["send_at"] = sendAt;
        message["retry_limit_datetime"] = sendAt + 7 * 86400;

        var accepted = await account.Send(message);

        Assert.Equal(sendAt + 7 * 86400, accepted["original_data"]!.Long("retry_limit_datetime"));
    }
}
