using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Reflection;
using Outbox.Bus.Testing;
using SmtpServer;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// The SMTP server every account (and the raw MailKit baseline) sends to: the tests' <see cref="TestSmtpServer"/>, with
/// AUTH like a real provider, and a hook that timestamps each accepted message by the job it carries
/// (<c>X-Outbox-Bus-Job</c>, the job_status_id). Receipts of the same job are counted, so a second delivery shows.
/// <para>
/// TCP_NODELAY: the SmtpServer library's listener leaves Nagle's algorithm on for accepted connections. MailKit pipelines
/// MAIL FROM / RCPT TO / DATA, the server answers with several small writes, and the second one waits for the client's
/// delayed ACK: about 45 ms per message on every connection (measured on loopback: 21 messages/s per connection with
/// Nagle, about 5,000 without). Real mail servers do not behave like that, so by default the sink switches Nagle off on
/// each accepted socket as its session is created (TestSmtpServer offers no hook, hence reflection on its private
/// listener; <c>--sink-nagle</c> keeps the library's behaviour).
/// </para>
/// </summary>
public sealed class MailSink : IAsyncDisposable
{
    public const string JobHeader = "X-Outbox-Bus-Job";
    public const string BaselineHeader = "X-Bench-Baseline";
    public const string Username = "bench-smtp";
    public const string Password = "bench-smtp-password";

    readonly ConcurrentDictionary<string, Receipt> _receipts = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, TaskCompletionSource<DateTimeOffset>> _waiters = new(StringComparer.Ordinal);
    long _baselineMessages;
    long _otherMessages;

    MailSink(TestSmtpServer server) => Server = server;

    public TestSmtpServer Server { get; private set; } = null!;
    public string Host => Server.Host;
    public int Port => Server.Port;
    public long BaselineMessages => Interlocked.Read(ref _baselineMessages);
    public long OtherMessages => Interlocked.Read(ref _otherMessages);
    public IReadOnlyDictionary<string, Receipt> Receipts => _receipts;

    public bool NoDelay { get; private set; }

    public static async Task<MailSink> StartAsync(bool noDelay = true)
    {
        MailSink? sink = null;
        var server = await TestSmtpServer.StartAsync(new TestSmtpServerOptions
        {
            Username = Username,
            Password = Password,
            ServerName = "outbox-bench-sink",
            OnMessage = m => sink?.Record(m),
        });
        sink = new MailSink(server);
        if (noDelay)
            sink.NoDelay = DisableNagle(server);
        return sink;
    }

    static bool DisableNagle(TestSmtpServer server)
    {
        var field = typeof(TestSmtpServer).GetField("_server", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field?.GetValue(server) is not SmtpServer.SmtpServer listener)
            return false;
        listener.SessionCreated += (_, e) =>
        {
            var pipe = e.Context.Pipe;
            var stream = pipe?.GetType().GetField("_stream", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(pipe);
            if (stream is NetworkStream network)
                network.Socket.NoDelay = true;
        };
        return true;
    }

    SmtpReply? Record(ReceivedMessage message)
    {
        var job = message.Message.Headers[JobHeader];
        if (job is { Length: > 0 })
        {
            var receipt = _receipts.AddOrUpdate(job, _ => new Receipt(message.ReceivedAt, 1), (_, r) => r with { Count = r.Count + 1 });
            if (receipt.Count == 1 && _waiters.TryRemove(job, out var waiter))
                waiter.TrySetResult(message.ReceivedAt);
        }
        else if (message.Message.Headers[BaselineHeader] is not null)
            Interlocked.Increment(ref _baselineMessages);
        else
            Interlocked.Increment(ref _otherMessages);
        return null; // accept with 250
    }

    /// <summary>Completes when the job's first copy arrives (at once if it already has).</summary>
    public Task<DateTimeOffset> WhenReceived(string jobId)
    {
        if (_receipts.TryGetValue(jobId, out var receipt))
            return Task.FromResult(receipt.First);
        var waiter = _waiters.GetOrAdd(jobId, _ => new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously));
        // The message may have arrived between the lookup and the registration.
        if (_receipts.TryGetValue(jobId, out receipt))
        {
            _waiters.TryRemove(jobId, out _);
            waiter.TrySetResult(receipt.First);
        }
        return waiter.Task;
    }

    public bool TryGetReceipt(string jobId, out Receipt receipt) => _receipts.TryGetValue(jobId, out receipt!);

    /// <summary>The server keeps every message it accepted (with its parsed MIME tree); a long run must let go of them.</summary>
    public int ReleaseStoredMessages()
    {
        var connections = Server.ConnectionCount;
        Server.Clear();
        return connections;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    public sealed record Receipt(DateTimeOffset First, int Count);
}
