using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>GET /job-statuses</c>: a top-level array, newest first, with <c>limit</c>, <c>offset</c> and <c>status</c>.</summary>
public sealed class When_job_statuses_are_listed
{
    static async Task<List<string>> Schedule(Account account, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var message = Json.Message(subject: $"Job {i}");
            message["send_at"] = Json.Now + 600;
            ids.Add((await account.Send(message)).Str("job_status_id"));
        }
        return ids;
    }

    [Fact]
    public async Task Should_answer_a_top_level_array_newest_first()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var created = await Schedule(account, 3);

        var response = await account.Http.GetAsync("/job-statuses");

        Assert.Equal(200, (int)response.StatusCode);
        var jobs = await response.ReadArray();
        Assert.Equal(created.AsEnumerable().Reverse(), jobs.Ids());
        var createdAt = jobs.Select(j => j!.Long("created_at")).ToArray();
        Assert.Equal(createdAt.OrderDescending(), createdAt);
        Assert.All(jobs, j => Assert.Equal("message", j!.Str("object")));
    }

    [Fact]
    public async Task Should_answer_an_empty_array_for_an_account_without_jobs()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.GetAsync("/job-statuses");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("[]", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Should_honour_limit_and_offset()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var created = await Schedule(account, 5);
        var newestFirst = created.AsEnumerable().Reverse().ToArray();

        Assert.Equal(newestFirst[1..3], (await account.ListJobs("?limit=2&offset=1")).Ids());
        Assert.Equal(newestFirst[1..3], (await account.ListJobs("?offset=1&limit=2")).Ids());
        Assert.Equal(newestFirst[..2], (await account.ListJobs("?limit=2")).Ids());
        Assert.Equal(newestFirst[3..], (await account.ListJobs("?offset=3")).Ids());
        Assert.Equal(newestFirst, (await account.ListJobs("?offset=0&limit=100")).Ids());
        Assert.Empty(await account.ListJobs("?offset=5&limit=100"));
        Assert.Empty(await account.ListJobs("?offset=100"));
    }

    [Fact]
    public async Task Should_filter_by_status()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var created = await Schedule(account, 3);
        var cancel = await account.Cancel(created[1]);
        Assert.Equal(200, (int)cancel.StatusCode);

        var cancelled = await account.ListJobs("?status=cancelled");
        var pending = await account.ListJobs("?status=pending");
        var successful = await account.ListJobs("?status=successful");

        Assert.Equal([created[1]], cancelled.Ids());
        Assert.Equal([created[2], created[0]], pending.Ids());
        Assert.Empty(successful);
        Assert.Equal([created[0]], (await account.ListJobs("?status=pending&offset=1&limit=1")).Ids());
    }

    [Fact]
    public async Task Should_list_a_job_that_keeps_being_retried_as_delayed_only()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        // Every attempt is deferred: from the first failure on, the job is delayed whether it waits or is being retried.
        app.Smtp.RespondWith(451, "4.3.0 Try again later");
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var pendingId = (await account.Send(message)).Str("job_status_id");
        var delayedId = (await account.Send(Json.Message())).Str("job_status_id");
        await account.WaitForStatus(delayedId, "delayed");

        for (var i = 0; i < 10; i++) // ~1 s: through several retry cycles (0.3 s, 0.6 s, 1 s)
        {
            Assert.Equal([delayedId], (await account.ListJobs("?status=delayed")).Ids());
            Assert.Equal([pendingId], (await account.ListJobs("?status=pending")).Ids());
            Assert.Empty(await account.ListJobs("?status=failed"));
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=1001")]
    [InlineData("?offset=-1")]
    [InlineData("?status=sent")]
    [InlineData("?limit=abc")]
    [InlineData("?offset=abc")]
    [InlineData("?limit=2.5")]
    [InlineData("?limit=99999999999")]
    public async Task Should_answer_400_to_bad_paging_or_status(string query)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();

        var response = await account.Http.GetAsync("/job-statuses" + query);

        await response.AssertNylasError(400);
    }
}
