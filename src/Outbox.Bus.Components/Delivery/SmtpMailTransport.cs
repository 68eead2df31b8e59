using MailKit;
using MimeKit;

namespace Outbox.Bus.Components.Delivery;

public sealed class SmtpMailTransport(SmtpConnectionPool pool) : IMailTransport
{
    public string Provider => "imap";

    public async Task<string?> SendAsync(MailAccount account, MimeMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(account.SmtpHost))
            throw new MailDeliveryException(Contracts.FailureKind.Permanent, "The account has no SMTP server configured");

        var lease = await Rent(account, fresh: false, cancellationToken);
        try
        {
            var reply = await lease.Client.SendAsync(message, cancellationToken);
            pool.Return(lease);
            return reply;
        }
        catch (Exception exception) when (lease.Reused && IsStaleConnection(exception))
        {
            // A pooled connection the server had already closed: the message never left, so one fresh try is safe.
            SmtpConnectionPool.Discard(lease.Client);
            lease = await Rent(account, fresh: true, cancellationToken);
            try
            {
                var reply = await lease.Client.SendAsync(message, cancellationToken);
                pool.Return(lease);
                return reply;
            }
            catch (Exception retryException)
            {
                SmtpConnectionPool.Discard(lease.Client);
                throw SmtpFailures.Classify(retryException);
            }
        }
        catch (Exception exception)
        {
            SmtpConnectionPool.Discard(lease.Client);
            throw SmtpFailures.Classify(exception);
        }
    }

    async Task<SmtpConnectionPool.Lease> Rent(MailAccount account, bool fresh, CancellationToken cancellationToken)
    {
        try
        {
            return await pool.RentAsync(account, fresh, cancellationToken);
        }
        catch (Exception exception)
        {
            throw SmtpFailures.Classify(exception);
        }
    }

    static bool IsStaleConnection(Exception exception) =>
        exception is ServiceNotConnectedException or IOException or MailKit.Net.Smtp.SmtpProtocolException;
}
