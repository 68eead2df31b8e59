using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>
/// A fresh MassTransit test harness (in-memory transport, delayed scheduler) with the send-job saga and nothing else
/// unless asked: the test plays the sender by publishing <see cref="MessageSent"/> / <see cref="MessageDeliveryFailed"/>.
/// One per test; nothing is shared between tests.
/// </summary>
public sealed class SagaHarness : IAsyncDisposable
{
    /// <summary>Short intervals instead of real ones, so no test sleeps through minutes.</summary>
    public static void Fast(SendJobOptions options)
    {
        options.FirstRetryInterval = TimeSpan.FromMilliseconds(200);
        options.RetryMultiplier = 2;
        options.MaxRetryInterval = TimeSpan.FromSeconds(1);
        options.UpdateLockWindow = TimeSpan.FromSeconds(2);
    }

    static readonly CancellationToken Snapshot = new(canceled: true);

    readonly ServiceProvider _provider;

    SagaHarness(ServiceProvider provider, SendJobOptions options)
    {
        _provider = provider;
        Options = options;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<SendJobStateMachine, SendJobState>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<SendJobStateMachine, SendJobState> Saga { get; }
    public SendJobStateMachine Machine => Saga.StateMachine;
    public SendJobOptions Options { get; }
    public IServiceProvider Services => _provider;

    /// <param name="configure">Changes to <see cref="Fast"/> options.</param>
    /// <param name="configureServices">Extra registrations (e.g. the sender's) before the bus is built.</param>
    /// <param name="configureBus">Extra bus registrations (e.g. <c>AddSenderConsumers</c>).</param>
    public static async Task<SagaHarness> StartAsync(Action<SendJobOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        var options = new SendJobOptions();
        Fast(options);
        configure?.Invoke(options);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.Configure<SendJobOptions>(o =>
        {
            o.FirstRetryInterval = options.FirstRetryInterval;
            o.RetryMultiplier = options.RetryMultiplier;
            o.MaxRetryInterval = options.MaxRetryInterval;
            o.UpdateLockWindow = options.UpdateLockWindow;
            o.DefaultRetryWindow = options.DefaultRetryWindow;
            o.MaxRetryWindow = options.MaxRetryWindow;
            o.FallbackEnabled = options.FallbackEnabled;
            o.AttemptsBeforeFallback = options.AttemptsBeforeFallback;
            o.AttemptTimeout = options.AttemptTimeout;
        });
        configureServices?.Invoke(services);
        services.AddMassTransitTestHarness(x =>
        {
            // What the hosts get from the EF outbox, the specs get in memory: nothing leaves before the consumer is done.
            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseInMemoryOutbox(context));
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30));
            x.AddDelayedMessageScheduler();
            x.AddSendJobSaga(saga => saga.InMemoryRepository());
            configureBus?.Invoke(x);
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = new SagaHarness(provider, options);
        await harness.Harness.Start();
        return harness;
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();

    // ---- requests, as the API sends them ----

    public async Task<Response<SendScheduled>> Schedule(ScheduleSend command) =>
        await Harness.GetRequestClient<ScheduleSend>().GetResponse<SendScheduled>(command, timeout: RequestTimeout.After(s: 10));

    public async Task<object> Update(UpdateSend command) =>
        (await Harness.GetRequestClient<UpdateSend>()
            .GetResponse<SendUpdated, SendUpdateRejected, JobNotFound>(command, timeout: RequestTimeout.After(s: 10))).Message;

    public async Task<object> Cancel(Guid jobId, string accountId = TestMessages.AccountId) =>
        (await Harness.GetRequestClient<CancelSend>()
            .GetResponse<SendCancelled, SendCancelRejected, JobNotFound>(new CancelSend(jobId, accountId),
                timeout: RequestTimeout.After(s: 10))).Message;

    // ---- the sender's part, played by the test ----

    public Task ReportSent(DeliverMessage delivery, string route = "smtp", string? reply = "250 2.0.0 Ok: queued") =>
        Harness.Bus.Publish(new MessageSent(delivery.JobId, delivery.Attempt, delivery.MessageId, route, reply, DateTime.UtcNow));

    public Task ReportFailed(DeliverMessage delivery, FailureKind kind, string reason = "Provider deferred the message: 451 4.3.0 Try again later",
        string? reply = "451 4.3.0 Try again later", string route = "smtp", bool fallbackAvailable = false) =>
        Harness.Bus.Publish(new MessageDeliveryFailed(delivery.JobId, delivery.Attempt, kind, reason, route, reply, DateTime.UtcNow,
            fallbackAvailable));

    // ---- what happened ----

    /// <summary>Every <see cref="DeliverMessage"/> sent for the job so far, in order, with the time it left.</summary>
    public IReadOnlyList<(DeliverMessage Message, DateTime SentAt)> Deliveries(Guid jobId) =>
        Harness.Sent.Select<DeliverMessage>(Snapshot)
            .Where(m => m.Context.Message.JobId == jobId)
            .Select(m => (m.Context.Message, m.Context.SentTime ?? m.StartTime))
            .ToArray();

    /// <summary>Every <see cref="DeliverViaFallback"/> sent for the job so far, in order, with the time it left.</summary>
    public IReadOnlyList<(DeliverViaFallback Message, DateTime SentAt)> FallbackDeliveries(Guid jobId) =>
        Harness.Sent.Select<DeliverViaFallback>(Snapshot)
            .Where(m => m.Context.Message.JobId == jobId)
            .Select(m => (m.Context.Message, m.Context.SentTime ?? m.StartTime))
            .ToArray();

    public IReadOnlyList<JobStatusChanged> StatusChanges(Guid jobId) =>
        Harness.Published.Select<JobStatusChanged>(Snapshot).Select(m => m.Context.Message).Where(m => m.JobId == jobId).ToArray();

    /// <summary>Messages of type <typeparamref name="T"/> sent or published (responses are sent, events published).</summary>
    public IReadOnlyList<T> Outgoing<T>() where T : class =>
        Harness.Sent.Select<T>(Snapshot).Select(m => m.Context.Message)
            .Concat(Harness.Published.Select<T>(Snapshot).Select(m => m.Context.Message))
            .ToArray();

    /// <summary>Messages of type <typeparamref name="T"/> sent to an address (responses), with the request they answer.</summary>
    public IReadOnlyList<(T Message, Guid? RequestId, Uri? Destination)> SentMessages<T>() where T : class =>
        Harness.Sent.Select<T>(Snapshot).Select(m => (m.Context.Message, m.Context.RequestId, m.Context.DestinationAddress)).ToArray();

    /// <summary>The RequestId the request client gave the published request matching <paramref name="match"/>.</summary>
    public Guid? RequestIdOf<T>(Func<T, bool> match) where T : class =>
        Harness.Published.Select<T>(Snapshot).Where(m => match(m.Context.Message)).Select(m => m.Context.RequestId).FirstOrDefault();

    /// <summary>How many messages matching <paramref name="match"/> the saga has finished consuming.</summary>
    public int ConsumedBySaga<T>(Func<T, bool> match) where T : class =>
        Saga.Consumed.Select<T>(Snapshot).Count(m => match(m.Context.Message));

    public async Task<(DeliverMessage Message, DateTime SentAt)> WaitForDelivery(Guid jobId, int attempt, TimeSpan? timeout = null)
    {
        var found = await Eventually.Get(
            () => Deliveries(jobId).Where(d => d.Message.Attempt == attempt).Select(d => new Tuple<DeliverMessage, DateTime>(d.Message, d.SentAt))
                .FirstOrDefault(),
            $"DeliverMessage attempt {attempt} of job {jobId}", timeout, () => Describe(jobId));
        return (found.Item1, found.Item2);
    }

    /// <summary>Waits until the job is in <paramref name="state"/> and returns the saga instance.</summary>
    public async Task<SendJobState> WaitForState(Guid jobId, Func<SendJobStateMachine, State> state, TimeSpan? timeout = null)
    {
        var found = await Saga.Exists(jobId, state, timeout ?? Eventually.DefaultTimeout);
        Assert.True(found.HasValue, $"Job {jobId} did not reach state {state(Machine).Name}. {Describe(jobId)}");
        return Job(jobId);
    }

    /// <summary>The job's saga instance as stored now (the in-memory repository's own object).</summary>
    public SendJobState Job(Guid jobId) =>
        Saga.Sagas.Select(s => s.Saga.CorrelationId == jobId, Snapshot).Select(s => s.Saga).FirstOrDefault()
        ?? throw new InvalidOperationException($"No saga instance for job {jobId}");

    public string Describe(Guid jobId)
    {
        var job = Saga.Sagas.Select(s => s.Saga.CorrelationId == jobId, Snapshot).Select(s => s.Saga).FirstOrDefault();
        var deliveries = Deliveries(jobId);
        return job is null
            ? "The saga has no instance for the job."
            : $"State {job.CurrentState}, attempt {job.AttemptCount}, send at {job.SendAt:O}, reason '{job.Reason}'; " +
              $"{deliveries.Count} DeliverMessage(s) published.";
    }
}
