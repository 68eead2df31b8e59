using System.Text;
using System.Text.Json;
using MimeKit;
using Outbox.Bus.Api.Infrastructure;
using Outbox.Bus.Api.Models;
using Outbox.Bus.Components;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Api.Apis;

/// <summary>What a job becomes after a send or update request, once every rule has passed.</summary>
public sealed record JobDraft(EmailMessage Message, DateTime SendAt, DateTime RetryLimit);

/// <summary>
/// The input rules of DESIGN.md §4 and the issue, in one place for send and update alike. Each rule answers with a
/// Nylas error and nothing is created or changed when one fails.
/// </summary>
public static class OutboxRules
{
    const int MaxSubjectLength = 998;
    const int MaxAddressLength = 320;
    const int MaxNameLength = 256;
    const double MaxUnixSeconds = 253402300799; // 9999-12-31T23:59:59Z

    /// <summary>The job that <paramref name="request"/> describes, on top of <paramref name="current"/> for an update.</summary>
    public static (JobDraft? Draft, JsonHttpResult<NylasError>? Error) Apply(
        JsonBody<SendRequest> request, JobDraft? current, EmailAddress account, ApiOptions options, SendJobOptions jobs,
        DateTime now, bool sendNow = false)
    {
        var body = request.Value;
        if (body.FileIds is { Count: > 0 })
            return Fail("Attachments are not supported yet: file_ids must be empty.");

        var message = current?.Message ?? new EmailMessage([], [], [], [], [], null, null);

        // Nylas SDKs send every list of a draft, unset ones as []: an empty or absent list keeps what the job has.
        if (!TryAddresses("from", body.From, message.From, out var from, out var error)
            || !TryAddresses("to", body.To, message.To, out var to, out error)
            || !TryAddresses("cc", body.Cc, message.Cc, out var cc, out error)
            || !TryAddresses("bcc", body.Bcc, message.Bcc, out var bcc, out error)
            || !TryAddresses("reply_to", body.ReplyTo, message.ReplyTo, out var replyTo, out error))
            return (null, error);

        if (from.Count == 0)
            from = [account];
        if (to.Count + cc.Count + bcc.Count == 0)
            return Fail("A message needs at least one recipient in to, cc or bcc.");
        if (to.Count + cc.Count + bcc.Count > options.MaxRecipients)
            return Fail($"Too many recipients: at most {options.MaxRecipients} in to, cc and bcc together.");

        var subject = body.Subject ?? message.Subject;
        if (subject is not null && HasLineBreak(subject))
            return Fail("subject must not contain CR or LF characters.");
        if (subject is { Length: > MaxSubjectLength })
            return Fail($"subject is longer than {MaxSubjectLength} characters.");

        var html = body.Body ?? message.Body;
        if (html is not null && Encoding.UTF8.GetByteCount(html) > options.MaxBodyBytes)
            return (null, NylasResults.Error(StatusCodes.Status413PayloadTooLarge,
                $"The message body is larger than the limit of {options.MaxBodyBytes} bytes."));

        if (!TryObject("tracking", body.Tracking, request.Has("tracking"), message.Tracking, out var tracking, out error)
            || !TryObject("metadata", body.Metadata, request.Has("metadata"), message.Metadata, out var metadata, out error))
            return (null, error);

        // A synchronous send goes now, whatever send_at says; the retry limit is counted from now too.
        if (!TryTime("send_at", sendNow ? null : body.SendAt, out var requestedSendAt, out error)
            || !TryTime("retry_limit_datetime", body.RetryLimitDatetime, out var requestedRetryLimit, out error))
            return (null, error);

        // Absent or 0 means now (or, for an update, whenever the job was due).
        var sendAtGiven = requestedSendAt is not null;
        var sendAt = requestedSendAt ?? (body.SendAt == 0 || current is null ? now : current.SendAt);
        if (sendAtGiven && sendAt < now - options.ClockTolerance)
            return Fail("send_at must not be in the past.");
        if (sendAt < now)
            sendAt = now;

        var retryLimit = requestedRetryLimit
            ?? (current is null || sendAtGiven || body.SendAt == 0 ? sendAt + jobs.DefaultRetryWindow : current.RetryLimit);
        if (retryLimit < sendAt)
            return Fail("retry_limit_datetime must not be before send_at.");
        if (retryLimit > sendAt + jobs.MaxRetryWindow)
            return Fail($"retry_limit_datetime must be at most {jobs.MaxRetryWindow.TotalDays:0.##} days after send_at.");

        var draft = new JobDraft(new EmailMessage(from, to, cc, bcc, replyTo, subject, html, tracking, metadata), sendAt, retryLimit);
        return (draft, null);
    }

    static bool TryAddresses(string field, List<Participant>? given, IReadOnlyList<EmailAddress> current,
        out IReadOnlyList<EmailAddress> result, out JsonHttpResult<NylasError>? error)
    {
        result = current;
        error = null;
        if (given is null || given.Count == 0)
            return true;

        var addresses = new List<EmailAddress>(given.Count);
        foreach (var participant in given)
        {
            if (participant is null || string.IsNullOrWhiteSpace(participant.Email))
            {
                error = NylasResults.BadRequest($"Every {field} entry needs an email address.");
                return false;
            }
            var email = participant.Email.Trim();
            var name = string.IsNullOrWhiteSpace(participant.Name) ? null : participant.Name.Trim();
            if (HasLineBreak(participant.Email) || (participant.Name is not null && HasLineBreak(participant.Name)))
            {
                error = NylasResults.BadRequest($"{field} must not contain CR or LF characters.");
                return false;
            }
            if (!IsAddress(email))
            {
                error = NylasResults.BadRequest($"Invalid email address in {field}: '{Truncate(email)}'.");
                return false;
            }
            if (name is { Length: > MaxNameLength })
            {
                error = NylasResults.BadRequest($"A name in {field} is longer than {MaxNameLength} characters.");
                return false;
            }
            addresses.Add(new EmailAddress(email, name));
        }
        result = addresses;
        return true;
    }

    /// <summary>A Unix time in seconds; 0 and absent both give null ("now"), fractions are cut to the second.</summary>
    static bool TryTime(string field, double? seconds, out DateTime? result, out JsonHttpResult<NylasError>? error)
    {
        result = null;
        error = null;
        if (seconds is null or 0)
            return true;
        if (double.IsNaN(seconds.Value) || seconds < 0 || seconds > MaxUnixSeconds)
        {
            error = NylasResults.BadRequest($"{field} must be a Unix timestamp in seconds.");
            return false;
        }
        result = DateTime.UnixEpoch.AddSeconds(Math.Floor(seconds.Value));
        return true;
    }

    static bool TryObject(string field, JsonElement? given, bool present, string? current, out string? result,
        out JsonHttpResult<NylasError>? error)
    {
        error = null;
        result = current;
        if (!present)
            return true;
        if (given is null || given.Value.ValueKind == JsonValueKind.Null)
        {
            result = null;
            return true;
        }
        if (given.Value.ValueKind != JsonValueKind.Object)
        {
            error = NylasResults.BadRequest($"{field} must be a JSON object.");
            return false;
        }
        result = given.Value.GetRawText();
        return true;
    }

    /// <summary>A bare <c>local@domain</c> address: no display-name syntax, no spaces, a dotted or literal domain.</summary>
    public static bool IsAddress(string email)
    {
        if (email.Length > MaxAddressLength || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';'))
            return false;
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
            return false;
        return MailboxAddress.TryParse(ParserOptions.Default, email, out var mailbox)
            && string.Equals(mailbox.Address, email, StringComparison.OrdinalIgnoreCase);
    }

    public static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    static (JobDraft?, JsonHttpResult<NylasError>?) Fail(string message) => (null, NylasResults.BadRequest(message));
}
