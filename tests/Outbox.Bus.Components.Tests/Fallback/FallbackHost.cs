using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Consumers;
using Outbox.Bus.Components.Data;
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
public sealed class FallbackHost : IAsyncDisposable
{
    public const string SenderEmail = "sender@example.com";

    static readonly CancellationToken Snapshot = new(canceled: true);

    readonly ServiceProvider _provider;

    FallbackHost(ServiceProvider provider, string dataDirectory)
    {
        _provider = provider;
        DataDirectory = dataDirectory;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public string DataDirectory { get; }
    public ITestHarness Harness { get; }
    public IServiceProvider Services => _provider;
    public SendGridFallback Fallback => _provider.GetRequiredService<SendGridFallback>();

    /// <param name="settings">Overrides, e.g. <c>SendGrid:ApiKey</c> or <c>SendGrid:RequireVerifiedSender</c>.</param>
    /// <param name="clock">A clock the test moves, for the verification cache and the rate-limit back-off.</param>
    public static async Task<FallbackHost> StartAsync(TestSendGridServer sendGrid, IDictionary<string, string?>? settings = null,
        TimeProvider? clock = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-bus-components-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);

        var values = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["SendGrid:ApiKey"] = sendGrid.ApiKey,
            ["SendGrid:BaseUrl"] = sendGrid.BaseUrl,
            ["SendGrid:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
            services.AddSingleton(clock);
        services.AddOutboxBusCore(configuration, directory);
        services.AddSendGridFallback(configuration);
        services.AddMassTransitTestHarness(x =>
        {
            // What the hosts get from the EF outbox, the specs get in memory: nothing leaves before the consumer is done.
            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseInMemoryOutbox(context));
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30));
            x.AddConsumer<DeliverViaFallbackConsumer, DeliverViaFallbackConsumerDefinition>();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var host = new FallbackHost(provider, directory);
        try
        {
            await provider.MigrateOutboxBusDatabaseAsync();
            await host.Harness.Start();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

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

        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
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
        Eventually.Get(() =>
                Harness.Published.Select<MessageSent>(Snapshot).Select(m => (object)m.Context.Message)
                    .Concat(Harness.Published.Select<MessageDeliveryFailed>(Snapshot).Select(m => (object)m.Context.Message))
                    .FirstOrDefault(m => m switch
                    {
                        MessageSent s => s.JobId == delivery.JobId && s.Attempt == delivery.Attempt,
                        MessageDeliveryFailed f => f.JobId == delivery.JobId && f.Attempt == delivery.Attempt,
                        _ => false,
                    }),
            $"the outcome of fallback attempt {delivery.Attempt} of job {delivery.JobId}", timeout ?? TimeSpan.FromSeconds(15));

    public async Task<MessageSent> WaitForSent(DeliverViaFallback delivery)
    {
        var outcome = await WaitForOutcome(delivery);
        return outcome as MessageSent ?? throw new Xunit.Sdk.XunitException($"Expected MessageSent, got {outcome}");
    }

    public async Task<MessageDeliveryFailed> WaitForFailure(DeliverViaFallback delivery)
    {
        var outcome = await WaitForOutcome(delivery);
        return outcome as MessageDeliveryFailed ?? throw new Xunit.Sdk.XunitException($"Expected MessageDeliveryFailed, got {outcome}");
    }

    /// <summary>Delivers one attempt and waits for its report.</summary>
    public async Task<object> DeliverAndWait(DeliverViaFallback delivery)
    {
        await Deliver(delivery);
        return await WaitForOutcome(delivery);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        // Pooled connections keep the database file open; close this host's only.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "outbox-bus.db")}"))
            SqliteConnection.ClearPool(connection);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A handle still closing; the temporary directory is cleaned up by the OS eventually.
        }
    }
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
