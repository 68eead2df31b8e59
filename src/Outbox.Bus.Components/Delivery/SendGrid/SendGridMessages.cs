using Outbox.Bus.Contracts;
using global::SendGrid.Helpers.Mail;
using SendGridAddress = global::SendGrid.Helpers.Mail.EmailAddress;

namespace Outbox.Bus.Components.Delivery.SendGrid;

/// <summary>Maps one fallback attempt onto SendGrid's v3 <c>mail/send</c> body, as close to what the SMTP route sends as
/// the API allows.</summary>
public static class SendGridMessages
{
    /// <summary>The <c>custom_args</c> key that carries the job id into SendGrid's event webhook and activity feed.</summary>
    public const string JobStatusIdArg = "job_status_id";

    /// <param name="trackHtml">The job's open pixel and tracked links, as the SMTP route adds them; null sends the body as
    /// written.</param>
    public static SendGridMessage Build(DeliverViaFallback delivery, Func<string, string>? trackHtml = null)
    {
        var source = delivery.Message;
        if (source.From.Count == 0)
            throw new MailDeliveryException(FailureKind.Permanent, "The message has no From address");

        // SendGrid refuses an address that appears twice in one personalization, even across to/cc/bcc; SMTP would
        // deliver it once anyway, so the first (most visible) occurrence is kept.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var to = Distinct(source.To, seen);
        var cc = Distinct(source.Cc, seen);
        var bcc = Distinct(source.Bcc, seen);
        if (to.Count == 0)
            // A personalization without "to" is invalid: cc/bcc-only messages cannot go through SendGrid.
            throw new MailDeliveryException(FailureKind.Permanent, "SendGrid needs at least one To recipient");

        var message = new SendGridMessage
        {
            // SendGrid has a single From; the message's first is its author, as MailKit's envelope sender would be.
            From = ToSendGrid(source.From[0]),
            // SendGrid refuses an empty subject; a single space is what it accepts for "no subject".
            Subject = string.IsNullOrEmpty(source.Subject) ? " " : source.Subject,
            Personalizations =
            [
                new Personalization
                {
                    Tos = to,
                    // Empty lists would serialize as [] and SendGrid rejects empty cc/bcc arrays.
                    Ccs = cc.Count > 0 ? cc : null,
                    Bccs = bcc.Count > 0 ? bcc : null,
                },
            ],
            Headers = new Dictionary<string, string>
            {
                // The same Message-ID as every SMTP attempt, so a recipient can tell a duplicate.
                ["Message-ID"] = $"<{delivery.MessageId}>",
                [MimeMessages.JobHeader] = PublicId.Format(delivery.JobId),
            },
            CustomArgs = new Dictionary<string, string> { [JobStatusIdArg] = PublicId.Format(delivery.JobId) },
        };

        // reply_to takes one address; reply_to_list (mutually exclusive with it) is used only when there are several.
        var replyTo = Distinct(source.ReplyTo, new HashSet<string>(StringComparer.OrdinalIgnoreCase));
        if (replyTo.Count == 1)
            message.ReplyTo = replyTo[0];
        else if (replyTo.Count > 1)
            message.ReplyTos = replyTo;

        // SendGrid wants text/plain first, then text/html, each at least one character long.
        var html = source.Body ?? string.Empty;
        var text = MimeMessages.ToPlainText(html);
        var contents = new List<Content>();
        if (text.Length > 0)
            contents.Add(new Content("text/plain", text));
        if (html.Length > 0)
            contents.Add(new Content("text/html", trackHtml is null ? html : trackHtml(html)));
        if (trackHtml is not null)
            // Our pixel and links report to this service; SendGrid's own would wrap them a second time.
            message.TrackingSettings = new TrackingSettings
            {
                ClickTracking = new ClickTracking { Enable = false, EnableText = false },
                OpenTracking = new OpenTracking { Enable = false },
            };
        if (contents.Count == 0)
            contents.Add(new Content("text/plain", " "));
        message.Contents = contents;
        return message;
    }

    static List<SendGridAddress> Distinct(IReadOnlyList<Outbox.Bus.Contracts.EmailAddress> addresses, HashSet<string> seen) =>
        addresses.Where(a => seen.Add(a.Email)).Select(ToSendGrid).ToList();

    static SendGridAddress ToSendGrid(Outbox.Bus.Contracts.EmailAddress address) =>
        new(address.Email, string.IsNullOrWhiteSpace(address.Name) ? null : address.Name);
}
