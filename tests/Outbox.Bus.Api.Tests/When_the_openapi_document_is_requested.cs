using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

public sealed class When_the_openapi_document_is_requested
{
    [Fact]
    public async Task Should_describe_the_outbox_and_job_status_endpoints()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(200, (int)response.StatusCode);
        var document = await response.ReadObject();
        var paths = document["paths"]!.AsObject();
        var names = paths.Select(p => p.Key).ToArray();
        Assert.Contains("/v2/outbox", names);
        Assert.Contains("/v2/outbox/{id}", names);
        Assert.Contains("/v2/send", names);
        Assert.Contains("/job-statuses", names);
        Assert.Contains("/job-statuses/{id}", names);
        var outboxItem = paths["/v2/outbox/{id}"]!.AsObject();
        Assert.True(outboxItem.ContainsKey("patch") && outboxItem.ContainsKey("put") && outboxItem.ContainsKey("delete"),
            outboxItem.ToJsonString());
    }
}
