using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>
/// The sender role alone: <c>AddOutboxBusCore</c> on a real SQLite file in a fresh temporary directory,
/// <c>AddOutboxBusDelivery</c>, and a test harness with the sender consumers. The test plays the saga by publishing
/// <see cref="DeliverMessage"/> and reads the <see cref="MessageSent"/> / <see cref="MessageDeliveryFailed"/> reports.
/// One per test; nothing is shared between tests.
/// </summary>
public sealed class SenderHost : IAsyncDisposable
{
    static readonly CancellationToken Snapshot = new(canceled: true);

    readonly ServiceProvider _provider;

    SenderHost(ServiceProvider provider, string dataDirectory)
    {
        _provider = provider;
        DataDirectory = dataDirectory;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public string DataDirectory { get; }
    public ITestHarness Harness { get; }
    public IServiceProvider Services => _provider;

    public static async Task<SenderHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-bus-components-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);

        var values = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Smtp:CommandTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOutboxBusCore(configuration, directory);
        services.AddOutboxBusDelivery(configuration);
        services.AddMassTransitTestHarness(x =>
        {
            // What the hosts get from the EF outbox, the specs get in memory: nothing leaves before the consumer is done.
            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseInMemoryOutbox(context));
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30));
            x.AddSenderConsumers();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var host = new SenderHost(provider, directory);
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

    /// <summary>Stores an account as the API's connect flow does: the password only as Data Protection ciphertext.</summary>
    public async Task<Account> AddAccountAsync(string provider = "imap", string? smtpHost = null, int smtpPort = 0,
        string? username = null, string? password = null, string email = "sender@example.com")
    {
        var protector = _provider.GetRequiredService<IDataProtectionProvider>().AccountPasswords();
        var account = new Account
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ClientId = "test-app",
            EmailAddress = email,
            Name = "Sender",
            Provider = provider,
            SmtpHost = smtpHost,
            SmtpPort = smtpPort,
            SmtpUsername = username,
            SmtpPasswordProtected = password is null ? null : protector.Protect(password),
            SslRequired = false,
            CreatedAt = DateTime.UtcNow,
            LinkedAt = DateTime.UtcNow,
        };

        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account;
    }

    public async Task<Account> ReadAccountAsync(string id)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        return await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id);
    }

    public Task Deliver(DeliverMessage delivery) => Harness.Bus.Publish(delivery);

    /// <summary>The sender's report for the attempt: <see cref="MessageSent"/> or <see cref="MessageDeliveryFailed"/>.</summary>
    public Task<object> WaitForOutcome(DeliverMessage delivery, TimeSpan? timeout = null) =>
        Eventually.Get(() =>
                Harness.Published.Select<MessageSent>(Snapshot).Select(m => (object)m.Context.Message)
                    .Concat(Harness.Published.Select<MessageDeliveryFailed>(Snapshot).Select(m => (object)m.Context.Message))
                    .FirstOrDefault(m => m switch
                    {
                        MessageSent s => s.JobId == delivery.JobId && s.Attempt == delivery.Attempt,
                        MessageDeliveryFailed f => f.JobId == delivery.JobId && f.Attempt == delivery.Attempt,
                        _ => false,
                    }),
            $"the outcome of attempt {delivery.Attempt} of job {delivery.JobId}", timeout ?? TimeSpan.FromSeconds(15));

    public async Task<MessageSent> WaitForSent(DeliverMessage delivery, TimeSpan? timeout = null)
    {
        var outcome = await WaitForOutcome(delivery, timeout);
        return outcome as MessageSent
               ?? throw new Xunit.Sdk.XunitException($"Expected MessageSent, got {outcome}");
    }

    public async Task<MessageDeliveryFailed> WaitForFailure(DeliverMessage delivery, TimeSpan? timeout = null)
    {
        var outcome = await WaitForOutcome(delivery, timeout);
        return outcome as MessageDeliveryFailed
               ?? throw new Xunit.Sdk.XunitException($"Expected MessageDeliveryFailed, got {outcome}");
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
