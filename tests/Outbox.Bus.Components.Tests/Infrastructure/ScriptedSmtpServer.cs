using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>
/// A few lines of SMTP for replies <see cref="Outbox.Bus.Testing.TestSmtpServer"/> cannot script: it greets, offers
/// AUTH PLAIN LOGIN, and answers every AUTH with <paramref name="authReply"/>. Nothing else is implemented.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly string _authReply;
    readonly CancellationTokenSource _stopping = new();
    readonly Task _accepting;
    int _connections;
    int _authAttempts;

    ScriptedSmtpServer(string authReply)
    {
        _authReply = authReply;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public int ConnectionCount => Volatile.Read(ref _connections);
    public int AuthAttempts => Volatile.Read(ref _authAttempts);

    /// <param name="authReply">The whole reply line, e.g. <c>454 4.7.0 Temporary authentication failure</c>.</param>
    public static ScriptedSmtpServer Start(string authReply) => new(authReply);

    async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 scripted ESMTP");
            while (await reader.ReadLineAsync(_stopping.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteAsync("250-scripted\r\n250 AUTH PLAIN LOGIN\r\n");
                        break;
                    case "HELO" or "NOOP" or "RSET":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "AUTH":
                        Interlocked.Increment(ref _authAttempts);
                        await writer.WriteLineAsync(_authReply);
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Not implemented");
                        break;
                }
            }
        }
        catch (Exception)
        {
            // The client went away or the server is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // Stopping.
        }
        _stopping.Dispose();
    }
}
