using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.StateMachines;

public sealed class When_an_update_names_an_unknown_job
{
    [Fact]
    public async Task Should_answer_job_not_found_and_create_no_job()
    {
        await using var bus = await SagaHarness.StartAsync();
        var jobId = Guid.NewGuid();
        var later = DateTime.UtcNow.AddHours(1);

        var response = await bus.Update(new UpdateSend(jobId, TestMessages.AccountId, TestMessages.Email(), later, later.AddHours(24)));

        Assert.Equal(jobId, Assert.IsType<JobNotFound>(response).JobId);
        Assert.Null(await bus.Saga.Exists(jobId, TimeSpan.FromMilliseconds(200)));
    }
}
