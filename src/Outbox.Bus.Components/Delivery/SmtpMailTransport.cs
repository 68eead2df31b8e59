using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Outbox.Bus.Components.Delivery;

public sealed class SmtpMailTransport(SmtpConnectionPool pool) : IMailTransport
{
    public string Provider => "imap";

    public async Task<DeliveryReceipt> SendAsync(MailAccount account, MimeMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(account.SmtpHost))
            throw new MailDeliveryException(Contracts.FailureKind.Permanent, "The account has no SMTP server configured");

        var lease = await Rent(account, fresh: false, cancellationToken);
        try
        {
            return await Send(lease, message, cancellationToken);
        }
        catch (Exception exception) when (lease.Reused && IsStaleConnection(exception)
            && !((PartialRecipientsSmtpClient)lease.Client).SenderAnswered)
        {
            // A pooled connection the server had closed before this message: nothing of it was taken, so one fresh try
            // is safe. Once the server has answered, a lost connection is the attempt's failure, left to the saga.
            SmtpConnectionPool.Discard(lease.Client);
            lease = await Rent(account, fresh: true, cancellationToken);
            try
            {
                return await Send(lease, message, cancellationToken);
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

    async Task<DeliveryReceipt> Send(SmtpConnectionPool.Lease lease, MimeMessage message, CancellationToken cancellationToken)
    {
        var client = (PartialRecipientsSmtpClient)lease.Client;
        string reply;
        client.BeginMessage();
        try
        {
            reply = await client.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException exception) when (client.TakeRejected() is { Count: > 0 } everyone
            && everyone.Count >= message.GetRecipients(onlyUnique: true).Count)
        {
            // Every recipient refused: the providers' own replies say why better than MailKit's summary does.
            var first = everyone[0];
            throw new MailDeliveryException(Contracts.FailureKind.Permanent, $"Every recipient was refused: {string.Join("; ", everyone)}",
                first[(first.IndexOf(": ", StringComparison.Ordinal) + 2)..], exception);
        }
        var rejected = client.TakeRejected();
        pool.Return(lease);
        return new DeliveryReceipt(reply, rejected);
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
