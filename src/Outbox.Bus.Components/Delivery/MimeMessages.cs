using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Delivery;

public static partial class MimeMessages
{
    public const string JobHeader = "X-Outbox-Bus-Job";

    /// <summary>Builds the message for one attempt. Bcc recipients are added, but MailKit's SMTP client never writes
    /// the Bcc header, so they stay hidden from the other recipients.</summary>
    /// <param name="trackHtml">Adds the job's open pixel and tracked links to the HTML part (see
    /// <c>Tracking.MessageTracking</c>); null sends the body as written.</param>
    public static MimeMessage Build(DeliverMessage delivery, DateTimeOffset date, Func<string, string>? trackHtml = null)
    {
        var source = delivery.Message;
        var message = new MimeMessage
        {
            MessageId = delivery.MessageId,
            Date = date,
            Subject = source.Subject ?? string.Empty,
        };
        message.From.AddRange(source.From.Select(ToMailbox));
        message.To.AddRange(source.To.Select(ToMailbox));
        message.Cc.AddRange(source.Cc.Select(ToMailbox));
        message.Bcc.AddRange(source.Bcc.Select(ToMailbox));
        message.ReplyTo.AddRange(source.ReplyTo.Select(ToMailbox));
        message.Headers.Add(JobHeader, Components.PublicId.Format(delivery.JobId));

        var html = source.Body ?? string.Empty;
        // The text part comes from the body as written: tracking URLs would only clutter it, and a pixel means nothing there.
        var trackedHtml = trackHtml is null ? html : trackHtml(html);
        message.Body = new BodyBuilder { HtmlBody = trackedHtml, TextBody = ToPlainText(html) }.ToMessageBody();
        return message;
    }

    static MailboxAddress ToMailbox(EmailAddress address) => new(address.Name ?? string.Empty, address.Email);

    /// <summary>A readable plain-text alternative for clients that do not render HTML.</summary>
    public static string ToPlainText(string html)
    {
        var text = Invisible().Replace(html, string.Empty);
        text = LineBreaks().Replace(text, "\n");
        text = Tags().Replace(text, string.Empty);
        text = WebUtility.HtmlDecode(text);
        text = BlankLines().Replace(text, "\n\n");
        return text.Trim();
    }

    [GeneratedRegex(@"<(script|style|head)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<br\s*/?>|</(p|div|li|h[1-6]|tr)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreaks();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\n\s*\n\s*\n+")]
    private static partial Regex BlankLines();
}
