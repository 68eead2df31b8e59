using MailKit.Net.Smtp;
using MimeKit;

namespace Outbox.Bus.Components.Delivery;

/// <summary>
/// MailKit refuses the whole message when one RCPT TO is rejected; a provider that takes the other recipients should
/// deliver to them. The refused ones are collected per message; when none is accepted MailKit still fails the send.
/// </summary>
sealed class PartialRecipientsSmtpClient : SmtpClient
{
    readonly List<string> _rejected = [];

    public IReadOnlyList<string> TakeRejected()
    {
        var rejected = _rejected.ToArray();
        _rejected.Clear();
        return rejected;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _rejected.Add($"{mailbox.Address} rejected: {(int)response.StatusCode} {response.Response}".Trim());
}
