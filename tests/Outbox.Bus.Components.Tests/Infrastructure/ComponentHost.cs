using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>
/// One role of the service alone: <c>AddOutboxBusCore</c> on a real SQLite file in a fresh temporary directory, the
/// role's own services, and a MassTransit test harness whose endpoints get the in-memory outbox (what the hosts get
/// from the EF outbox: nothing leaves before the consumer is done). One per test; nothing is shared between tests.
/// </summary>
public sealed class ComponentHost : IAsyncDisposable
{
    static readonly CancellationToken Snapshot = new(canceled: true);

    readonly ServiceProvider _provider;

    ComponentHost(ServiceProvider provider, string dataDirectory)
    {
        _provider = provider;
        DataDirectory = dataDirectory;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public string DataDirectory { get; }
    public ITestHarness Harness { get; }
    public IServiceProvider Services => _provider;

    /// <param name="settings">The role's configuration; <paramref name="overrides"/> win over it.</param>
    /// <param name="delayedScheduler">For roles that schedule messages (the hosts use the database scheduler).</param>
    public static async Task<ComponentHost> StartAsync(IDictionary<string, string?> settings, IDictionary<string, string?>? overrides,
        Action<IServiceCollection, IConfiguration> configureServices, Action<IBusRegistrationConfigurator> configureBus,
        bool delayedScheduler = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-bus-components-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);

        var values = new Dictionary<string, string?>(settings) { ["Storage:DataDirectory"] = directory };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOutboxBusCore(configuration, directory);
        configureServices(services, configuration);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseInMemoryOutbox(context));
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30));
            if (delayedScheduler)
                x.AddDelayedMessageScheduler();
            configureBus(x);
            x.UsingInMemory((context, cfg) =>
            {
                if (delayedScheduler)
                    cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var host = new ComponentHost(provider, directory);
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

    public async Task Write(Action<OutboxBusDbContext> change)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        change(db);
        await db.SaveChangesAsync();
    }

    public async Task<T> Read<T>(Func<OutboxBusDbContext, Task<T>> query)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>());
    }

    /// <summary>A sender's report for one attempt: <see cref="MessageSent"/> or <see cref="MessageDeliveryFailed"/>.</summary>
    public Task<object> WaitForReport(Guid jobId, int attempt, TimeSpan? timeout = null) =>
        Eventually.Get(() =>
                Harness.Published.Select<MessageSent>(Snapshot).Select(m => (object)m.Context.Message)
                    .Concat(Harness.Published.Select<MessageDeliveryFailed>(Snapshot).Select(m => (object)m.Context.Message))
                    .FirstOrDefault(m => m switch
                    {
                        MessageSent s => s.JobId == jobId && s.Attempt == attempt,
                        MessageDeliveryFailed f => f.JobId == jobId && f.Attempt == attempt,
                        _ => false,
                    }),
            $"the outcome of attempt {attempt} of job {jobId}", timeout ?? TimeSpan.FromSeconds(15));

    public async Task<T> WaitForReport<T>(Guid jobId, int attempt, TimeSpan? timeout = null)
        where T : class
    {
        var outcome = await WaitForReport(jobId, attempt, timeout);
        return outcome as T ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {outcome}");
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
