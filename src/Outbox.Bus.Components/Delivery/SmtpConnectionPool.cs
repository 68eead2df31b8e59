using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Delivery;

/// <summary>
/// Keeps authenticated SMTP connections per account so that a burst of messages does not open one TCP (and TLS, and
/// AUTH) session per message. A connection is used by one sender at a time: rented, then returned or discarded.
/// </summary>
public sealed class SmtpConnectionPool(IOptions<SmtpOptions> options, TimeProvider clock) : IDisposable
{
    readonly SmtpOptions _options = options.Value;
    readonly ConcurrentDictionary<string, ConcurrentStack<IdleConnection>> _idle = new();

    sealed record IdleConnection(SmtpClient Client, DateTimeOffset Since);

    public sealed record Lease(string Key, SmtpClient Client, bool Reused);

    public async Task<Lease> RentAsync(MailAccount account, bool fresh, CancellationToken cancellationToken)
    {
        var key = KeyOf(account);
        if (!fresh && _idle.TryGetValue(key, out var stack))
        {
            while (stack.TryPop(out var idle))
            {
                if (idle.Client.IsConnected && clock.GetUtcNow() - idle.Since < _options.IdleTimeout)
                    return new Lease(key, idle.Client, Reused: true);
                Discard(idle.Client);
            }
        }

        var client = new PartialRecipientsSmtpClient { Timeout = (int)_options.CommandTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(account.SmtpHost ?? string.Empty, account.SmtpPort, SecurityOf(account), cancellationToken);
            // A server that offers no AUTH (a relay that trusts its network) decides by itself whether to accept
            // the message; one that requires AUTH answers 530, which is classified as invalid authentication.
            if (!string.IsNullOrEmpty(account.SmtpUsername) && client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
                await client.AuthenticateAsync(account.SmtpUsername, account.SmtpPassword ?? string.Empty, cancellationToken);
            return new Lease(key, client, Reused: false);
        }
        catch
        {
            Discard(client);
            throw;
        }
    }

    public void Return(Lease lease)
    {
        var stack = _idle.GetOrAdd(lease.Key, _ => new ConcurrentStack<IdleConnection>());
        if (lease.Client.IsConnected && stack.Count < _options.MaxIdleConnectionsPerAccount)
            stack.Push(new IdleConnection(lease.Client, clock.GetUtcNow()));
        else
            Discard(lease.Client);
    }

    public static void Discard(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
                client.Disconnect(quit: false);
        }
        catch (Exception)
        {
            // The connection is being thrown away; how it ends does not matter.
        }
        client.Dispose();
    }

    public void Dispose()
    {
        foreach (var stack in _idle.Values)
            while (stack.TryPop(out var idle))
                Discard(idle.Client);
    }

    static SecureSocketOptions SecurityOf(MailAccount account) => account switch
    {
        { SslRequired: true, SmtpPort: 465 } => SecureSocketOptions.SslOnConnect,
        { SslRequired: true } => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };

    // The password is part of the key so that re-authenticating with new credentials never reuses an old session.
    static string KeyOf(MailAccount account)
    {
        var secret = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(account.SmtpPassword ?? string.Empty)));
        return $"{account.AccountId}|{account.SmtpHost}|{account.SmtpPort}|{account.SmtpUsername}|{account.SslRequired}|{secret}";
    }
}
