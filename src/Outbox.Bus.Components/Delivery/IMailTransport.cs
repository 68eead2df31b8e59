using MimeKit;

namespace Outbox.Bus.Components.Delivery;

/// <summary>The edge where a message leaves the service. Implementations throw <see cref="MailDeliveryException"/>
/// for failures they can classify.</summary>
public interface IMailTransport
{
    /// <summary>The account provider this transport serves (<c>imap</c> accounts send over SMTP).</summary>
    string Provider { get; }

    /// <returns>The provider's reply to the accepted message and the recipients it refused, if any.</returns>
    Task<DeliveryReceipt> SendAsync(MailAccount account, MimeMessage message, CancellationToken cancellationToken);
}
