using System.Net;
using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>
/// The API host without the saga role (as in production while no saga worker runs): a 202 still means a durable,
/// readable job, answered from its request; changes, which only the saga may decide, wait for it and then say so.
/// </summary>
public sealed class When_no_saga_has_taken_the_job_yet
{
    static Task<OutboxBusApp> StartWithoutSaga() => OutboxBusApp.StartAsync(new Dictionary<string, string?>
    {
        ["Roles"] = "sender,webhook",
        ["Api:SagaTimeout"] = "00:00:01",
    });

    static JsonObject Scheduled(string subject)
    {
        var message = Json.Message(subject: subject);
        message["send_at"] = Json.Now + 3600;
        return message;
    }

    [Fact]
    public async Task Should_answer_the_job_as_pending_from_its_request()
    {
        await using var app = await StartWithoutSaga();
        var account = await app.ConnectAsync();
        var accepted = await account.Send(Scheduled("Waiting for a saga"));
        var jobId = accepted.Str("job_status_id");

        var response = await account.Http.GetAsync($"/job-statuses/{jobId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = await response.ReadObject();
        Assert.Equal("pending", job.Str("status"));
        Assert.Equal(account.Id, job.Str("account_id"));
        Assert.Equal("Waiting for a saga", job["original_data"]!.Str("subject"));
        Assert.Equal(accepted["original_data"]!.Long("send_at"), job.Long("send_at"));
        Assert.Equal(accepted.Str("status"), job.Str("status"));
    }

    [Fact]
    public async Task Should_list_it_with_the_accounts_other_jobs()
    {
        await using var app = await StartWithoutSaga();
        var account = await app.ConnectAsync();
        var first = (await account.Send(Scheduled("First"))).Str("job_status_id");
        var second = (await account.Send(Scheduled("Second"))).Str("job_status_id");

        var all = await (await account.Http.GetAsync("/job-statuses")).ReadArray();
        var pending = await (await account.Http.GetAsync("/job-statuses?status=pending&limit=1")).ReadArray();
        var delayed = await (await account.Http.GetAsync("/job-statuses?status=delayed")).ReadArray();

        Assert.Equal([second, first], all.Select(j => j!.Str("job_status_id")));
        Assert.Equal([second], pending.Select(j => j!.Str("job_status_id")));
        Assert.Empty(delayed);
    }

    [Fact]
    public async Task Should_not_show_it_to_another_account()
    {
        await using var app = await StartWithoutSaga();
        var owner = await app.ConnectAsync();
        var other = await app.ConnectAsync(email: "other@example.com");
        var jobId = (await owner.Send(Scheduled("Private"))).Str("job_status_id");

        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/job-statuses/{jobId}")).StatusCode);
        Assert.Empty(await (await other.Http.GetAsync("/job-statuses")).ReadArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.DeleteAsync($"/v2/outbox/{jobId}")).StatusCode);
    }

    [Fact]
    public async Task Should_answer_503_to_a_cancel_or_update_and_change_nothing()
    {
        await using var app = await StartWithoutSaga();
        var account = await app.ConnectAsync();
        var jobId = (await account.Send(Scheduled("Unchanged"))).Str("job_status_id");
        var update = Json.Message(subject: "Changed");
        update["send_at"] = Json.Now + 7200;

        var cancel = await account.Http.DeleteAsync($"/v2/outbox/{jobId}");
        var patch = await account.Http.PatchAsync($"/v2/outbox/{jobId}", Json.Body(update));
        var job = await (await account.Http.GetAsync($"/job-statuses/{jobId}")).ReadObject();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, cancel.StatusCode);
        Assert.Equal("api_error", (await cancel.ReadObject()).Str("type"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, patch.StatusCode);
        Assert.Equal("pending", job.Str("status"));
        Assert.Equal("Unchanged", job["original_data"]!.Str("subject"));
    }
}
