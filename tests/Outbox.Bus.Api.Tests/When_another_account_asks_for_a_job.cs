using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>Another account's job does not exist: 404 to every request, and the job does not change.</summary>
public sealed class When_another_account_asks_for_a_job
{
    [Fact]
    public async Task Should_answer_404_to_every_request_and_leave_the_job_unchanged()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var alice = await app.ConnectAsync("alice@example.com", "Alice");
        var mallory = await app.ConnectAsync("mallory@example.com", "Mallory");
        var message = Json.Message(subject: "Alice's");
        message["send_at"] = Json.Now + 600;
        var jobId = (await alice.Send(message)).Str("job_status_id");
        var before = await alice.GetJob(jobId);
        var change = new JsonObject { ["subject"] = "Mallory's", ["send_at"] = Json.Now + 1200 };

        var get = await mallory.Http.GetAsync($"/job-statuses/{jobId}");
        var patch = await mallory.Update("PATCH", jobId, change);
        var put = await mallory.Update("PUT", jobId, change);
        var delete = await mallory.Cancel(jobId);

        foreach (var response in new[] { get, patch, put, delete })
        {
            var error = await response.AssertNylasError(404);
            Assert.Contains(jobId, error.Str("message"));
        }
        ApiAssertions.AssertSameJson(before, await alice.GetJob(jobId));
        await mallory.AssertNoJobs();
        Assert.Equal([jobId], (await alice.ListJobs()).Ids());
    }

    [Fact]
    public async Task Should_list_only_the_callers_own_jobs()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var alice = await app.ConnectAsync("alice@example.com", "Alice");
        var bob = await app.ConnectAsync("bob@example.com", "Bob");
        var aliceJobs = new List<string>();
        var bobJobs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var message = Json.Message(subject: $"A{i}");
            message["send_at"] = Json.Now + 600;
            aliceJobs.Add((await alice.Send(message)).Str("job_status_id"));
            message["subject"] = $"B{i}";
            bobJobs.Add((await bob.Send(message)).Str("job_status_id"));
        }

        var aliceList = await alice.ListJobs();
        var bobList = await bob.ListJobs();

        Assert.Equal(aliceJobs.AsEnumerable().Reverse(), aliceList.Ids());
        Assert.Equal(bobJobs.AsEnumerable().Reverse(), bobList.Ids());
        Assert.All(aliceList, j => Assert.Equal(alice.Id, j!.Str("account_id")));
        Assert.All(bobList, j => Assert.Equal(bob.Id, j!.Str("account_id")));
        Assert.Single(await alice.ListJobs("?status=pending&limit=1&offset=1"));
    }
}
