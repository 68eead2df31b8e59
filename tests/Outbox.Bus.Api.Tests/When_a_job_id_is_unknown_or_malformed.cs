using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Components;

namespace Outbox.Bus.Api.Tests;

/// <summary>Ids that name no job of the account: always 404 in the Nylas shape, never 400 or 500.</summary>
public sealed class When_a_job_id_is_unknown_or_malformed
{
    static string IdFor(string @case) => @case switch
    {
        "well-formed unknown" => PublicId.Format(Guid.NewGuid()),
        "all zeros" => new string('0', 25),
        "too short" => "5qlu0dvy5vq7p3z0281isc0n",
        "too long" => "5qlu0dvy5vq7p3z0281isc0nja",
        "upper case" => "5QLU0DVY5VQ7P3Z0281ISC0NJ",
        "beyond 128 bits" => new string('z', 25),
        "punctuation" => "5qlu0dvy5vq7p3z0281isc0-_",
        "a word" => "nope",
        "a guid" => Guid.NewGuid().ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(@case)),
    };

    [Theory]
    [InlineData("well-formed unknown")]
    [InlineData("all zeros")]
    [InlineData("too short")]
    [InlineData("too long")]
    [InlineData("upper case")]
    [InlineData("beyond 128 bits")]
    [InlineData("punctuation")]
    [InlineData("a word")]
    [InlineData("a guid")]
    public async Task Should_answer_404_to_get_update_and_cancel(string @case)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var id = IdFor(@case);
        var change = new JsonObject { ["subject"] = "Changed", ["send_at"] = Json.Now + 1200 };

        var responses = new[]
        {
            await account.Http.GetAsync($"/job-statuses/{id}"),
            await account.Update("PATCH", id, change),
            await account.Update("PUT", id, change),
            await account.Cancel(id),
        };

        foreach (var response in responses)
            await response.AssertNylasError(404);
        await account.AssertNoJobs();
    }
}
