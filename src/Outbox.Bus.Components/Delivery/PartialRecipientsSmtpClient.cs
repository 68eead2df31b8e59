using MailKit.Net.Smtp;
using MimeKit;

namespace Outbox.Bus.Components.Delivery;

/// <summary>
/// MailKit refuses the whole message when one RCPT TO is rejected; a provider that takes the other recipients should
/// deliver to them. The refused ones are collected per message; when none is accepted MailKit still fails the send.
/// It also notes whether the server answered MAIL FROM, which tells a dead pooled connection from a lost reply.
/// </summary>
sealed class PartialRecipientsSmtpClient : SmtpClient
{
    readonly List<string> _rejected = [];

    /// <summary>Whether the server answered this message's MAIL FROM: the connection was alive when the message went
    /// out, so a failure after it may have come after the server had the message.</summary>
    public bool SenderAnswered { get; private set; }

    public void BeginMessage()
    {
        SenderAnswered = false;
        _rejected.Clear();
    }

    protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        SenderAnswered = true;

    public IReadOnlyList<string> TakeRejected()
    {
        var rejected = _rejected.ToArray();
        _rejected.Clear();
        return rejected;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _rejected.Add($"{mailbox.Address} rejected: {(int)response.StatusCode} {response.Response}".Trim());
}
