using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary><c>POST /oauth/revoke</c> with the token itself (Bearer, or Basic as <c>Nylas.revoke</c> does).</summary>
public sealed class When_an_access_token_is_revoked
{
    [Theory]
    [InlineData("Bearer")]
    [InlineData("Basic")]
    public async Task Should_answer_401_to_that_token_afterwards(string scheme)
    {
        await using var app = await OutboxBusApp.StartAsync();
        var account = await app.ConnectAsync();
        using var client = scheme == "Basic" ? app.BasicClient(account.AccessToken) : app.BearerClient(account.AccessToken);

        var revoke = await client.PostAsync("/oauth/revoke", null);

        Assert.Equal(200, (int)revoke.StatusCode);
        Assert.True((await revoke.ReadObject())["success"]!.GetValue<bool>());
        var error = await (await account.Http.GetAsync("/job-statuses")).AssertNylasError(401);
        Assert.Equal("Could not verify access credential.", error.Str("message"));
        await (await account.Http.PostAsync("/v2/outbox", Json.Body(Json.Message()))).AssertNylasError(401);
        await (await app.BasicClient(account.AccessToken).GetAsync("/job-statuses")).AssertNylasError(401);
        await (await client.PostAsync("/oauth/revoke", null)).AssertNylasError(401);
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task Should_leave_the_accounts_other_tokens_working()
    {
        await using var app = await OutboxBusApp.StartAsync();
        var first = await app.ConnectAsync("sender@example.com");
        var second = await app.ConnectAsync("sender@example.com");
        Assert.Equal(first.Id, second.Id);
        var message = Json.Message();
        message["send_at"] = Json.Now + 600;
        var jobId = (await first.Send(message)).Str("job_status_id");

        var revoke = await first.Http.PostAsync("/oauth/revoke", null);

        Assert.Equal(200, (int)revoke.StatusCode);
        await (await first.Http.GetAsync("/job-statuses")).AssertNylasError(401);
        Assert.Equal([jobId], (await second.ListJobs()).Ids());
    }
}
