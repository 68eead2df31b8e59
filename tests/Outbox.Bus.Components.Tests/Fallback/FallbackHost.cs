using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Consumers;
using Outbox.Bus.Components.Delivery.SendGrid;
using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Fallback;

/// <summary>
/// The fallback sender alone: <c>AddOutboxBusCore</c> on a real SQLite file in a fresh temporary directory,
/// <c>AddSendGridFallback</c> pointed at a <see cref="TestSendGridServer"/>, and a test harness with
/// <see cref="DeliverViaFallbackConsumer"/>. The test plays the saga by publishing <see cref="DeliverViaFallback"/> and
/// reads the reports. One per test; nothing is shared between tests.
/// </summary>
public sealed class FallbackHost(ComponentHost host) : IAsyncDisposable
{
    public const string SenderEmail = "sender@example.com";

    public string DataDirectory => host.DataDirectory;
    public ITestHarness Harness => host.Harness;
    public IServiceProvider Services => host.Services;
    public SendGridFallback Fallback => Services.GetRequiredService<SendGridFallback>();

    /// <param name="settings">Overrides, e.g. <c>SendGrid:ApiKey</c> or <c>SendGrid:RequireVerifiedSender</c>.</param>
    /// <param name="clock">A clock the test moves, for the verification cache and the rate-limit back-off.</param>
    public static async Task<FallbackHost> StartAsync(TestSendGridServer sendGrid, IDictionary<string, string?>? settings = null,
        TimeProvider? clock = null) =>
        new(await ComponentHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["SendGrid:ApiKey"] = sendGrid.ApiKey,
                ["SendGrid:BaseUrl"] = sendGrid.BaseUrl,
                ["SendGrid:Timeout"] = "00:00:05",
            },
            settings,
            (services, configuration) =>
            {
                if (clock is not null)
                    services.AddSingleton(clock);
                services.AddSendGridFallback(configuration);
            },
            x => x.AddConsumer<DeliverViaFallbackConsumer, DeliverViaFallbackConsumerDefinition>()));

    /// <summary>An account as the connect flow stores it; the fallback needs only that it exists.</summary>
    public async Task<Account> AddAccountAsync(string email = SenderEmail)
    {
        var account = new Account
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ClientId = "test-app",
            EmailAddress = email,
            Name = "Sender",
            Provider = "imap",
            SmtpHost = "smtp.example.com",
            SmtpPort = 587,
            CreatedAt = DateTime.UtcNow,
            LinkedAt = DateTime.UtcNow,
        };
        await host.Write(db => db.Accounts.Add(account));
        return account;
    }

    /// <summary>The saga's command for an attempt through the fallback (after five SMTP attempts, hence attempt 6).</summary>
    public static DeliverViaFallback Delivery(string accountId, EmailMessage? message = null, Guid? jobId = null, int attempt = 6)
    {
        var id = jobId ?? Guid.NewGuid();
        var content = message ?? TestMessages.Email();
        return new DeliverViaFallback(id, accountId, attempt, MessageIds.For(id, content), content);
    }

    public Task Deliver(DeliverViaFallback delivery) => Harness.Bus.Publish(delivery);

    /// <summary>The consumer's report for the attempt: <see cref="MessageSent"/> or <see cref="MessageDeliveryFailed"/>.</summary>
    public Task<object> WaitForOutcome(DeliverViaFallback delivery, TimeSpan? timeout = null) =>
        host.WaitForReport(delivery.JobId, delivery.Attempt, timeout);

    public Task<MessageSent> WaitForSent(DeliverViaFallback delivery) =>
        host.WaitForReport<MessageSent>(delivery.JobId, delivery.Attempt);

    public Task<MessageDeliveryFailed> WaitForFailure(DeliverViaFallback delivery) =>
        host.WaitForReport<MessageDeliveryFailed>(delivery.JobId, delivery.Attempt);

    /// <summary>Delivers one attempt and waits for its report.</summary>
    public async Task<object> DeliverAndWait(DeliverViaFallback delivery)
    {
        await Deliver(delivery);
        return await WaitForOutcome(delivery);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}

/// <summary>A clock the test moves by hand, for what the fallback times: the verification cache and 429 back-off.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    readonly Lock _gate = new();
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
            _now += by;
    }
}
