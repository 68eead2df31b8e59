using System.Collections.Concurrent;
using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;
using Outbox.Bus.Benchmarks.Infrastructure;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: what the parts alone can do on this machine, measured in the same run, so end-to-end jobs/s can be read
/// as a fraction of each. Each runs with nothing else of the benchmark going on (before the service starts).
/// </summary>
public static class Baselines
{
    public static async Task<List<BaselineResult>> RunAsync(BenchOptions options, MailSink sink, Action<string> log)
    {
        var duration = TimeSpan.FromSeconds(options.BaselineSeconds);
        var results = new List<BaselineResult>
        {
            await SmtpAsync(sink, options.SmtpBaselineConnections, duration, log),
            await BusAsync(options.BusBaselinePublishers, duration, log),
            await DatabaseAsync(options.DatabaseBaselineConnections, duration, log),
        };
        return results;
    }

    /// <summary>Raw MailKit to the same sink, each connection opened and authenticated once and reused for every message.</summary>
    static async Task<BaselineResult> SmtpAsync(MailSink sink, int connections, TimeSpan duration, Action<string> log)
    {
        log($"baseline smtp: raw MailKit, {connections} reused connection(s), {duration.TotalSeconds:0} s");
        var latencies = new ConcurrentQueue<double>();
        long sent = 0;
        var watch = Stopwatch.StartNew();

        async Task Connection(int c)
        {
            using var client = new SmtpClient { Timeout = 30_000 };
            await client.ConnectAsync(sink.Host, sink.Port, SecureSocketOptions.StartTlsWhenAvailable);
            await client.AuthenticateAsync(MailSink.Username, MailSink.Password);
            for (var i = 0; i < 10_000_000 && watch.Elapsed < duration; i++)
            {
                var message = Message(c, i);
                var started = Stopwatch.GetTimestamp();
                await client.SendAsync(message);
                latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref sent);
            }
            await client.DisconnectAsync(quit: true);
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(() => Connection(c))));
        var elapsed = watch.Elapsed.TotalSeconds;
        sink.ReleaseStoredMessages();
        var result = new BaselineResult("smtp", "raw MailKit → the same SMTP sink, connections reused", connections, Math.Round(elapsed, 2), sent,
            Math.Round(sent / elapsed, 1), Distribution.Of(latencies));
        log($"  {result.PerSecond:0} messages/s, p50 {result.LatencyMs.P50:0.0} ms");
        return result;
    }

    /// <summary>A message shaped like the service's: HTML and text alternatives, a few addresses and headers.</summary>
    static MimeMessage Message(int connection, int i)
    {
        var message = new MimeMessage { Subject = $"Outbox.Bus benchmark baseline {connection}-{i}", Date = DateTimeOffset.UtcNow, MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("bench.example.com") };
        message.From.Add(new MailboxAddress("Bench Sender", "sender-0@bench.example.com"));
        message.To.Add(new MailboxAddress("Bench Customer", $"customer-{connection}-{i}@example.net"));
        message.Headers.Add(MailSink.BaselineHeader, "smtp");
        const string html = "<html><body><h1>Your order has shipped</h1><p>Thank you for your order. Your parcel is on its way and should arrive " +
                            "within three working days. You can follow it with the link below.</p><p><a href=\"https://example.com/track/123\">Track</a></p></body></html>";
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = "Your order has shipped. Thank you for your order." }.ToMessageBody();
        return message;
    }

    /// <summary>
    /// Raw MassTransit over the same broker (its own virtual host): durable queue, persistent messages, publisher confirms
    /// and the service's prefetch (32), one consumer that only counts. Publishers publish back to back for the duration.
    /// </summary>
    static async Task<BaselineResult> BusAsync(int publishers, TimeSpan duration, Action<string> log)
    {
        log($"baseline bus: MassTransit publish → consume, durable, confirms, {publishers} publisher(s), {duration.TotalSeconds:0} s");
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("outbox-bench-baseline");
        var counter = new BaselineCounter();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(counter);
        services.AddMassTransit(x =>
        {
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false); // nothing leaves the machine
            x.AddConsumer<BaselineConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(vhost.Host, (ushort)vhost.Port, vhost.Name, h =>
                {
                    h.Username(vhost.Username);
                    h.Password(vhost.Password);
                    h.PublisherConfirmation = true;
                });
                cfg.PrefetchCount = 32;
                cfg.ReceiveEndpoint("bench-baseline", e => e.ConfigureConsumer<BaselineConsumer>(context));
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        try
        {
            var body = new string('x', 900);
            var latencies = new ConcurrentQueue<double>();
            long published = 0;
            var watch = Stopwatch.StartNew();
            async Task Publisher()
            {
                for (var i = 0; i < 10_000_000 && watch.Elapsed < duration; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await bus.Publish(new BaselineMessage(Guid.NewGuid(), "account", 1, "message-id@bench.example.com", "subject", body));
                    latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref published);
                }
            }
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(Publisher)));
            var consumedInWindow = counter.Count;
            var elapsed = watch.Elapsed.TotalSeconds;
            var drain = Stopwatch.StartNew();
            while (counter.Count < Interlocked.Read(ref published) && drain.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(50);
            var total = watch.Elapsed.TotalSeconds;
            // Consumed per second: whichever is lower, publishing or consuming, limits the bus.
            var perSecond = Math.Min(published / elapsed, counter.Count / total);
            var result = new BaselineResult("bus", "raw MassTransit publish → consume, same RabbitMQ, durable + confirms", publishers,
                Math.Round(total, 2), counter.Count, Math.Round(perSecond, 1), Distribution.Of(latencies));
            log($"  {result.PerSecond:0} messages/s ({published} published in {elapsed:0.0} s, {consumedInWindow} consumed meanwhile), " +
                $"publish p50 {result.LatencyMs.P50:0.0} ms");
            return result;
        }
        finally
        {
            await bus.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    /// <summary>Single-row INSERT transactions (autocommit, synchronous commit as configured) on the same server, own database.</summary>
    static async Task<BaselineResult> DatabaseAsync(int connections, TimeSpan duration, Action<string> log)
    {
        log($"baseline database: single-row insert transactions, {connections} connection(s), {duration.TotalSeconds:0} s");
        await using var database = await PostgresDatabase.CreateAsync();
        await using (var setup = new NpgsqlConnection(database.ConnectionString))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand(
                "CREATE TABLE bench_insert (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, created timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)",
                setup);
            await create.ExecuteNonQueryAsync();
        }

        var latencies = new ConcurrentQueue<double>();
        long committed = 0;
        var payload = new string('x', 400);
        var watch = Stopwatch.StartNew();
        async Task Connection()
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_insert (payload) VALUES (@payload)", connection);
            insert.Parameters.AddWithValue("payload", payload);
            await insert.PrepareAsync();
            for (var i = 0; i < 100_000_000 && watch.Elapsed < duration; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync();
                latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref committed);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Connection)));
        var elapsed = watch.Elapsed.TotalSeconds;
        var result = new BaselineResult("database", "single-row INSERT transactions/s, same PostgreSQL", connections, Math.Round(elapsed, 2),
            committed, Math.Round(committed / elapsed, 1), Distribution.Of(latencies));
        log($"  {result.PerSecond:0} transactions/s, p50 {result.LatencyMs.P50:0.00} ms");
        return result;
    }
}

public sealed record BaselineMessage(Guid JobId, string AccountId, int Attempt, string MessageId, string Subject, string Body);

public sealed class BaselineCounter
{
    long _count;
    public long Count => Interlocked.Read(ref _count);
    public void Increment() => Interlocked.Increment(ref _count);
}

public sealed class BaselineConsumer(BaselineCounter counter) : IConsumer<BaselineMessage>
{
    public Task Consume(ConsumeContext<BaselineMessage> context)
    {
        counter.Increment();
        return Task.CompletedTask;
    }
}
