using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpListener = SmtpServer.SmtpServer;
using SmtpServiceProvider = SmtpServer.ComponentModel.ServiceProvider;

namespace Outbox.Bus.Testing;

// A real SMTP server (the SmtpServer package) listening on 127.0.0.1 for tests. It records what it receives and
// can be scripted to fail: see RespondWith, RespondOnceWith, RejectRecipient and FaultOnce.
//
//   await using var smtp = await TestSmtpServer.StartAsync();
//   ... point the code under test at smtp.Host / smtp.Port, send ...
//   var message = await smtp.WaitForMessageAsync(m => m.RcptTo.Contains("bob@example.com"));
public sealed class TestSmtpServer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    // How long StartAsync waits for the listener to bind, and DisposeAsync for the server loop to end.
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(10);

    // Marks a session whose DATA reply asked for the connection to be closed; see OnCommandExecuted.
    private const string CloseAfterReplyKey = "Outbox.Bus.Testing:CloseAfterReply";

    // Marks a session the script hung up on, so the errors that follow on its closed socket are not reported as faults.
    private const string DroppedKey = "Outbox.Bus.Testing:Dropped";

    private readonly Lock _gate = new();
    private readonly List<ReceivedMessage> _messages = [];
    private readonly List<RejectedMessage> _rejected = [];
    private readonly List<ReceivedMessage> _unanswered = [];
    private readonly List<Exception> _faults = [];
    private readonly List<Waiter> _waiters = [];
    private readonly ConcurrentDictionary<Guid, byte> _activeSessions = new();
    private readonly ConcurrentDictionary<string, SmtpReply> _rejectedRecipients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<SmtpReply> _onceReplies = new();
    private readonly ConcurrentQueue<SmtpFault> _onceFaults = new();
    private SmtpFault? _fault;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SmtpListener _server;
    private Func<ReceivedMessage, SmtpReply?>? _responder;
    private Task _running = Task.CompletedTask;
    private int _connectionCount;
    private bool _disposed;

    private TestSmtpServer(TestSmtpServerOptions options, EndpointListenerFactory listenerFactory)
    {
        Options = options;
        _responder = options.OnMessage;

        var hasCredentials = options.Username is not null;
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(options.ServerName)
            // SmtpServer ends a session after this many consecutive failed commands (default 5); scripted
            // rejections must not make it hang up on the client by accident.
            .MaxRetryCount(100)
            .Endpoint(endpoint =>
            {
                // Port 0: the OS picks a free port atomically; the EndpointStarted event tells us which.
                endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, 0))
                    .IsSecure(false)
                    .SessionTimeout(options.SessionTimeout);
                if (hasCredentials)
                {
                    // Without this SmtpServer neither advertises nor accepts AUTH on a connection without TLS.
                    endpoint.AllowUnsecureAuthentication();
                    endpoint.AuthenticationRequired(options.AuthenticationRequired);
                }
            })
            .Build();

        var services = new SmtpServiceProvider();
        services.Add(listenerFactory);
        services.Add(new Store(this));
        services.Add(new RecipientFilter(this));
        if (hasCredentials)
        {
            // SmtpServer advertises AUTH PLAIN LOGIN only when an authenticator is registered.
            services.Add(new CredentialCheck(options.Username!, options.Password!));
        }

        _server = new SmtpListener(serverOptions, services);
        _server.SessionCreated += OnSessionCreated;
        _server.SessionCompleted += OnSessionEnded;
        _server.SessionCancelled += OnSessionEnded;
        _server.SessionFaulted += OnSessionFaulted;
    }

    public TestSmtpServerOptions Options { get; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    // Connections accepted since start (or the last Clear). One connection reused for many messages counts once.
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    // Connections open right now.
    public int ActiveConnectionCount => _activeSessions.Count;

    // Messages accepted with a 2xx reply, in arrival order. A snapshot: later messages do not appear in it.
    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToArray();
            }
        }
    }

    // Messages refused at the end of DATA by a scripted reply; they are not in Messages.
    public IReadOnlyList<RejectedMessage> Rejected
    {
        get
        {
            lock (_gate)
            {
                return _rejected.ToArray();
            }
        }
    }

    // Messages whose DATA got no reply because a scripted fault (FaultOnce, FaultWith) hung or hung up; they are in
    // neither Messages nor Rejected. The sender cannot know whether they were delivered.
    public IReadOnlyList<ReceivedMessage> Unanswered
    {
        get
        {
            lock (_gate)
            {
                return _unanswered.ToArray();
            }
        }
    }

    // Unexpected server-side errors (session faults, responder exceptions, unparseable messages). A test that
    // sees odd client errors can print these; scripted disconnects are not faults.
    public IReadOnlyList<Exception> Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults.ToArray();
            }
        }
    }

    public static async Task<TestSmtpServer> StartAsync(TestSmtpServerOptions? options = null)
    {
        options ??= new TestSmtpServerOptions();
        if ((options.Username is null) != (options.Password is null))
        {
            throw new ArgumentException("Set both Username and Password, or neither.", nameof(options));
        }

        if (options.AuthenticationRequired && options.Username is null)
        {
            throw new ArgumentException("AuthenticationRequired needs Username and Password.", nameof(options));
        }

        var listenerFactory = new EndpointListenerFactory();
        var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        listenerFactory.EndpointStarted += (_, e) => bound.TrySetResult((IPEndPoint)e.LocalEndPoint);

        var server = new TestSmtpServer(options, listenerFactory);
        // The server loop runs until DisposeAsync; Task.Run keeps its synchronous start off the caller's thread.
        server._running = Task.Run(() => server._server.StartAsync(server._stopping.Token));

        var first = await Task.WhenAny(bound.Task, server._running, Task.Delay(StartStopTimeout)).ConfigureAwait(false);
        if (first != bound.Task)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            if (first == server._running)
            {
                throw new InvalidOperationException("The SMTP server stopped before it started listening.", server._running.Exception?.GetBaseException());
            }

            throw new TimeoutException($"The SMTP server did not start listening within {StartStopTimeout}.");
        }

        server.Port = (await bound.Task.ConfigureAwait(false)).Port;
        return server;
    }

    // Sets the reply to the end of DATA for every following message; null from the function, or a null function,
    // accepts with 250. A 2xx reply still records the message in Messages; anything else goes to Rejected.
    public void RespondWith(Func<ReceivedMessage, SmtpReply?>? responder) => Volatile.Write(ref _responder, responder);

    // Answers every following message with this reply, e.g. RespondWith(550, "5.7.1 Message rejected").
    public void RespondWith(int code, string text)
    {
        var reply = new SmtpReply(code, text);
        RespondWith(_ => reply);
    }

    // Answers only the next message with this reply (queue several for several messages), then falls back to the
    // RespondWith behaviour. Suits "fails once, then the retry succeeds" tests.
    public void RespondOnceWith(int code, string text) => _onceReplies.Enqueue(new SmtpReply(code, text));

    // Instead of replying to the end of DATA of the next message (queue several for several messages): Hang never
    // answers, so the client's command timeout ends the attempt; Drop closes the connection without a word. Takes
    // precedence over RespondWith / RespondOnceWith.
    public void FaultOnce(SmtpFault fault) => _onceFaults.Enqueue(fault);

    // The same for every following message; null stops it.
    public void FaultWith(SmtpFault? fault)
    {
        lock (_gate)
        {
            _fault = fault;
        }
    }

    // Answers RCPT TO for this address with the given reply instead of 250 (matching ignores case).
    // SmtpServer appends ", N retry(ies) remaining." to the text of such replies; see RecipientFilter.
    public void RejectRecipient(string address, int code = 550, string text = "5.1.1 Mailbox unavailable")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        _rejectedRecipients[address.Trim()] = new SmtpReply(code, text);
    }

    // Back to accepting everything: forgets RespondWith / RespondOnceWith / RejectRecipient and options.OnMessage.
    public void ClearFaults()
    {
        Volatile.Write(ref _responder, null);
        _onceReplies.Clear();
        _onceFaults.Clear();
        FaultWith(null);
        _rejectedRecipients.Clear();
    }

    // Forgets recorded messages, rejections and faults, and restarts ConnectionCount at 0, so one server can be
    // shared by several tests (e.g. in a fixture). Scripted faults stay; see ClearFaults.
    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
            _rejected.Clear();
            _unanswered.Clear();
            _faults.Clear();
            Volatile.Write(ref _connectionCount, 0);
        }
    }

    // Completes with the first accepted message that matches (including ones that arrived before the call).
    public Task<ReceivedMessage> WaitForMessageAsync(
        Func<ReceivedMessage, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var what = predicate is null ? "a message" : "a message matching the predicate";
        predicate ??= _ => true;
        return WaitAsync(() => _messages.FirstOrDefault(predicate), what, timeout, cancellationToken);
    }

    // Completes when at least count messages have been accepted, with all messages accepted so far.
    public async Task<IReadOnlyList<ReceivedMessage>> WaitForMessagesAsync(
        int count,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return await WaitAsync(
            () => _messages.Count >= count ? _messages.ToArray() : null,
            $"{count} message(s)",
            timeout,
            cancellationToken).ConfigureAwait(false);
    }

    // Completes with the first message rejected at DATA that matches (including earlier ones).
    public Task<RejectedMessage> WaitForRejectedAsync(
        Func<RejectedMessage, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var what = predicate is null ? "a rejected message" : "a rejected message matching the predicate";
        predicate ??= _ => true;
        return WaitAsync(() => _rejected.FirstOrDefault(predicate), what, timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Waiter[] waiters;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            waiters = _waiters.ToArray();
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(new ObjectDisposedException(nameof(TestSmtpServer), "The test SMTP server was disposed while a test was waiting for it."));
        }

        // Shutdown stops the listener (freeing the port) and cancels open sessions; the token does the same
        // for a server that is still starting.
        _server.Shutdown();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(StartStopTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected: cancellation is how the server loop stops.
        }
        catch (TimeoutException)
        {
            // A session that ignores cancellation must not hang the test run; the listener is already closed.
        }
        catch (Exception ex)
        {
            // Throwing from DisposeAsync would hide the test's own failure; keep it visible in Faults instead.
            RecordFault(ex);
        }

        _stopping.Dispose();
    }

    // Completes with the first message left unanswered by a scripted fault that matches (including earlier ones).
    public Task<ReceivedMessage> WaitForUnansweredAsync(
        Func<ReceivedMessage, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        predicate ??= _ => true;
        return WaitAsync(() => _unanswered.FirstOrDefault(predicate), "a message left unanswered", timeout, cancellationToken);
    }

    // Evaluates probe under _gate now and after every recorded message; probe returns null until satisfied.
    private async Task<T> WaitAsync<T>(Func<T?> probe, string what, TimeSpan? timeout, CancellationToken cancellationToken)
        where T : class
    {
        var wait = timeout ?? DefaultWaitTimeout;
        var waiter = new Waiter<T>(probe);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!waiter.TryComplete())
            {
                _waiters.Add(waiter);
            }
        }

        try
        {
            return await waiter.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            throw new TimeoutException($"Timed out after {wait.TotalSeconds:0.###}s waiting for {what} on {Host}:{Port}. {Describe()}");
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            throw;
        }
    }

    private string Describe()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Accepted {_messages.Count} message(s)");
            foreach (var m in _messages)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  - {Summary(m)}");
            }

            text.Append(CultureInfo.InvariantCulture, $"\nRejected {_rejected.Count} message(s) at DATA");
            foreach (var r in _rejected)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  - {Summary(r.Received)} -> {r.Reply}");
            }

            text.Append(CultureInfo.InvariantCulture, $"\nConnections: {ConnectionCount} accepted, {ActiveConnectionCount} open.");
            foreach (var fault in _faults)
            {
                text.Append(CultureInfo.InvariantCulture, $"\nServer fault: {fault.GetType().Name}: {fault.Message}");
            }

            return text.ToString();
        }

        static string Summary(ReceivedMessage m) =>
            $"from <{m.MailFrom}> to <{string.Join(">, <", m.RcptTo)}>, subject \"{m.Message.Subject}\"";
    }

    private void RecordFault(Exception exception)
    {
        lock (_gate)
        {
            _faults.Add(exception);
        }
    }

    private void Record(ReceivedMessage message)
    {
        lock (_gate)
        {
            _messages.Add(message);
            _waiters.RemoveAll(w => w.TryComplete());
        }
    }

    private void RecordUnanswered(ReceivedMessage message)
    {
        lock (_gate)
        {
            _unanswered.Add(message);
            _waiters.RemoveAll(w => w.TryComplete());
        }
    }

    private SmtpFault? ChooseFault()
    {
        if (_onceFaults.TryDequeue(out var once))
        {
            return once;
        }

        lock (_gate)
        {
            return _fault;
        }
    }

    // SmtpServer answers whatever the store throws with 554, so a silent hang-up has to close the connection itself.
    private async Task<SmtpResponse> FailSilentlyAsync(ISessionContext context, ReceivedMessage received, SmtpFault fault, CancellationToken cancellationToken)
    {
        RecordUnanswered(received);
        if (fault == SmtpFault.Hang)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }

        context.Properties[DroppedKey] = true;
        context.Pipe.Dispose();
        throw new ScriptedDisconnect();
    }

    private void Record(RejectedMessage rejected)
    {
        lock (_gate)
        {
            _rejected.Add(rejected);
            _waiters.RemoveAll(w => w.TryComplete());
        }
    }

    private SmtpReply? ChooseReply(ReceivedMessage message)
    {
        if (_onceReplies.TryDequeue(out var once))
        {
            return once;
        }

        return Volatile.Read(ref _responder)?.Invoke(message);
    }

    private async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        var raw = buffer.ToArray();
        ReceivedMessage received;
        SmtpReply? reply;
        SmtpFault? fault;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var mime = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            received = new ReceivedMessage(
                mime,
                Address(transaction.From),
                // Copy: SmtpServer clears its transaction for the next message on the same connection.
                transaction.To.Select(Address).ToArray(),
                receivedAt,
                context.Authentication.IsAuthenticated ? context.Authentication.User : null,
                raw,
                context.SessionId,
                NewQueueId());
            fault = ChooseFault();
            reply = fault is null ? ChooseReply(received) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // SmtpServer turns any exception here into "554"; keep the cause so the test can show it.
            RecordFault(ex);
            throw;
        }

        if (fault is { } silent)
        {
            return await FailSilentlyAsync(context, received, silent, cancellationToken).ConfigureAwait(false);
        }

        if (reply?.CloseConnection == true)
        {
            context.Properties[CloseAfterReplyKey] = true;
        }

        if (reply is null || reply.IsPositive)
        {
            Record(received);
            return new SmtpResponse((SmtpReplyCode)(reply?.Code ?? 250), reply?.Text ?? $"2.0.0 Ok: queued as {received.QueueId}");
        }

        Record(new RejectedMessage(received with { QueueId = "" }, reply));
        // Any int is a valid SmtpReplyCode value, so codes the enum does not name (e.g. 455) work too.
        return new SmtpResponse((SmtpReplyCode)reply.Code, reply.Text);
    }

    private static string NewQueueId() => Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    // SmtpServer represents the null reverse-path <> as a mailbox with empty user and host.
    private static string Address(IMailbox? mailbox)
    {
        if (mailbox is null || (string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host)))
        {
            return "";
        }

        return string.IsNullOrEmpty(mailbox.Host) ? mailbox.User : $"{mailbox.User}@{mailbox.Host}";
    }

    private void OnSessionCreated(object? sender, SessionEventArgs e)
    {
        Interlocked.Increment(ref _connectionCount);
        _activeSessions.TryAdd(e.Context.SessionId, 0);
        e.Context.CommandExecuted += OnCommandExecuted;
    }

    private void OnSessionEnded(object? sender, SessionEventArgs e) => _activeSessions.TryRemove(e.Context.SessionId, out _);

    private void OnSessionFaulted(object? sender, SessionFaultedEventArgs e)
    {
        _activeSessions.TryRemove(e.Context.SessionId, out _);
        if (e.Exception is not ScriptedDisconnect && !e.Context.Properties.ContainsKey(DroppedKey))
        {
            RecordFault(e.Exception);
        }
    }

    // SmtpServer offers no way to close a connection after a normal reply. CommandExecuted runs inside the session
    // loop after the DATA reply has been flushed, and an exception thrown here ends the session, which closes the
    // socket without writing anything more.
    private void OnCommandExecuted(object? sender, SmtpCommandEventArgs e)
    {
        if (e.Command is DataCommand && e.Context.Properties.Remove(CloseAfterReplyKey))
        {
            throw new ScriptedDisconnect();
        }
    }

    private sealed class ScriptedDisconnect() : Exception("The test scripted the server to close the connection.");

    private abstract class Waiter
    {
        public abstract bool TryComplete();

        public abstract void Fail(Exception exception);
    }

    private sealed class Waiter<T>(Func<T?> probe) : Waiter
        where T : class
    {
        // Continuations run asynchronously so test code never runs under _gate or on the SMTP session's thread.
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override bool TryComplete()
        {
            try
            {
                if (probe() is not { } result)
                {
                    return false;
                }

                _completion.TrySetResult(result);
            }
            catch (Exception ex)
            {
                // A throwing predicate fails the wait instead of the SMTP session.
                _completion.TrySetException(ex);
            }

            return true;
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    private sealed class Store(TestSmtpServer server) : IMessageStore
    {
        public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken) =>
            server.SaveAsync(context, transaction, buffer, cancellationToken);
    }

    private sealed class RecipientFilter(TestSmtpServer server) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        // Returning false always yields "550 mailbox unavailable"; throwing SmtpResponseException is SmtpServer's
        // way to choose the code and text. Its session loop then appends ", N retry(ies) remaining." to the text.
        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (server._rejectedRecipients.TryGetValue(Address(to), out var reply))
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)reply.Code, reply.Text));
            }

            return Task.FromResult(true);
        }
    }

    private sealed class CredentialCheck(string expectedUser, string expectedPassword) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken) =>
            Task.FromResult(string.Equals(user, expectedUser, StringComparison.Ordinal) && string.Equals(password, expectedPassword, StringComparison.Ordinal));
    }
}
