using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>The Nylas Node SDK sends <c>Basic base64("&lt;access_token&gt;:")</c> for <c>/job-statuses</c> and <c>/send</c>.</summary>
public sealed class When_the_access_token_is_sent_as_basic_auth
{
    [Fact]
    public async Task Should_read_job_statuses_as_with_bearer()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await account.Send(message)).Str("job_status_id");
        using var basic = app.BasicClient(account.AccessToken);

        var list = await basic.GetAsync("/job-statuses?offset=0&limit=100");
        var one = await basic.GetAsync($"/job-statuses/{jobId}");

        Assert.Equal(200, (int)list.StatusCode);
        Assert.Equal([jobId], (await list.ReadArray()).Ids());
        Assert.Equal(200, (int)one.StatusCode);
        ApiAssertions.AssertSameJson(await account.GetJob(jobId), await one.ReadObject());
    }

    [Fact]
    public async Task Should_send_as_with_bearer()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        using var basic = app.BasicClient(account.AccessToken);
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;

        var response = await basic.PostAsync("/v2/outbox", Json.Body(message));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(account.Id, (await response.ReadObject()).Str("account_id"));
    }
}
