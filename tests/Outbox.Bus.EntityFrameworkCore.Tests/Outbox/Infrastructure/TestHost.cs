using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

/// <summary>
/// One application process: a service provider with the test DbContext, an in-memory bus and the hosted services (bus,
/// outbox delivery, inbox cleanup), started and stopped like a host does. Several may share one database, which is how
/// the multi-instance and restart tests run; each has its own in-memory bus, so a message is consumed in the host whose
/// delivery service sent it.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    /// <summary>Short, so that no test waits long for a poll; the notification path is tested with long ones.</summary>
    public static readonly TimeSpan FastQueryDelay = TimeSpan.FromMilliseconds(100);

    readonly List<IHostedService> _hostedServices;
    readonly ServiceProvider _provider;
    bool _stopped;

    TestHost(ServiceProvider provider, List<IHostedService> hostedServices)
    {
        _provider = provider;
        _hostedServices = hostedServices;
    }

    public IServiceProvider Services => _provider;

    /// <param name="scheduler">Adds the database scheduler, as IMessageScheduler and on the consume pipe.</param>
    public static async Task<TestHost> StartAsync(TestDatabase database, Received received, Action<IBusRegistrationConfigurator> configure,
        string name = "A", bool scheduler = false, ITestOutputHelper? output = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            if (output is not null)
                logging.AddProvider(new TestOutputLoggerProvider(output, name));
        });
        services.AddSingleton(received);
        services.AddSingleton(new HostName(name));
        services.AddDbContext<TestDbContext>(database.Configure);
        services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(30);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure(x);
            if (scheduler)
                x.AddEntityFrameworkMessageScheduler<TestDbContext>();
            x.UsingInMemory((context, cfg) =>
            {
                if (scheduler)
                    cfg.UseEntityFrameworkMessageScheduler(context);
                cfg.ConfigureEndpoints(context);
            });
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var hostedServices = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hostedServices)
            await service.StartAsync(CancellationToken.None);

        return new TestHost(provider, hostedServices);
    }

    /// <summary>The EF outbox on every endpoint plus the bus outbox, as an application would configure it.</summary>
    public static void AddOutbox(IBusRegistrationConfigurator x, TestDatabase database, Action<IEntityFrameworkOutboxConfigurator>? configure = null,
        bool busOutbox = true)
    {
        x.AddEntityFrameworkOutbox<TestDbContext>(o =>
        {
            if (database.Provider == Provider.Sqlite)
                o.UseSqlite();
            else
                o.UsePostgres();
            o.QueryDelay = FastQueryDelay;
            if (busOutbox)
                o.UseBusOutbox();
            configure?.Invoke(o);
        });
        x.AddConfigureEndpointsCallback((context, _, e) => e.UseEntityFrameworkOutbox<TestDbContext>(context));
    }

    public AsyncServiceScope CreateScope() => _provider.CreateAsyncScope();

    /// <summary>Publishes straight to the bus, as a producer without any outbox would.</summary>
    public Task Publish<T>(T message, Action<PublishContext<T>>? configure = null)
        where T : class =>
        _provider.GetRequiredService<IBus>().Publish(message, context => configure?.Invoke(context));

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;

        for (var i = _hostedServices.Count - 1; i >= 0; i--)
            await _hostedServices[i].StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _provider.DisposeAsync();
    }

    sealed class TestOutputLoggerProvider(ITestOutputHelper output, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, host, categoryName);

        public void Dispose()
        {
        }

        sealed class Logger(ITestOutputHelper output, string host, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"[{host}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
                }
                catch (InvalidOperationException)
                {
                    // The test already finished; background services may still log while stopping.
                }
            }
        }
    }
}
