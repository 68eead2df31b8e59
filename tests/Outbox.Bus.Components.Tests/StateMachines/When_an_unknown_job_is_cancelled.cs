using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_unknown_job_is_cancelled
{
    [Fact]
    public async Task Should_answer_job_not_found_and_create_no_job()
    {
        await using var bus = await SagaHarness.StartAsync();
        var jobId = Guid.NewGuid();

        var response = await bus.Cancel(jobId);

        Assert.Equal(jobId, Assert.IsType<JobNotFound>(response).JobId);
        Assert.Null(await bus.Saga.Exists(jobId, TimeSpan.FromMilliseconds(200)));
    }
}
