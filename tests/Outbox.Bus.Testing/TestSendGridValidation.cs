using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Outbox.Bus.Testing;

// One entry of SendGrid's error body {"errors": [{"message", "field", "help"}]}.
public sealed record TestSendGridError(string Message, string? Field = null, string? Help = null);

// The checks SendGrid's v3 mail/send makes on a payload, as far as a sender of plain messages can trip them. Messages
// follow SendGrid's wording where it is known; the point is that a malformed request fails here as it would there.
public static partial class TestSendGridValidation
{
    const string Help = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
    const int MaxRecipients = 1000;
    const int MaxCustomArgsBytes = 10_000;

    // SendGrid refuses to let a request set these; everything else (Message-ID included) passes through.
    static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding",
        "to", "from", "subject", "reply-to", "cc", "bcc",
    };

    public static IReadOnlyList<TestSendGridError> Validate(JsonNode? body)
    {
        if (body is not JsonObject mail)
            return [new("Bad Request")];

        var errors = new List<TestSendGridError>();
        var hasTemplate = mail["template_id"] is JsonValue template && template.TryGetValue<string>(out var id) && id.Length > 0;

        ValidateFrom(mail, errors);
        var personalizations = ValidatePersonalizations(mail, errors);
        ValidateSubject(mail, personalizations, hasTemplate, errors);
        ValidateContent(mail, hasTemplate, errors);
        ValidateReplyTo(mail, errors);
        ValidateHeaders(mail["headers"], "headers", errors);
        ValidateCustomArgs(mail["custom_args"], "custom_args", errors);
        return errors;
    }

    static void ValidateFrom(JsonObject mail, List<TestSendGridError> errors)
    {
        if (mail["from"] is not JsonObject from || !IsString(from["email"], out var email) || email.Length == 0)
        {
            errors.Add(new("The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.",
                "from", $"{Help}#message.from"));
            return;
        }
        if (!IsAddress(email))
            errors.Add(new("The from email does not contain a valid address.", "from.email", $"{Help}#message.from"));
    }

    static List<JsonObject> ValidatePersonalizations(JsonObject mail, List<TestSendGridError> errors)
    {
        var found = new List<JsonObject>();
        if (mail["personalizations"] is not JsonArray personalizations || personalizations.Count == 0 || personalizations.Count > 1000)
        {
            errors.Add(new("The personalizations field is required and must have at least one personalization.",
                "personalizations", $"{Help}#-Personalizations-Errors"));
            return found;
        }

        for (var i = 0; i < personalizations.Count; i++)
        {
            var field = $"personalizations.{i}";
            if (personalizations[i] is not JsonObject personalization)
            {
                errors.Add(new("Invalid type. Expected: object.", field));
                continue;
            }
            found.Add(personalization);

            if (personalization["to"] is not JsonArray { Count: > 0 })
                errors.Add(new("The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
                    $"{field}.to", $"{Help}#message.personalizations.to"));

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var total = 0;
            foreach (var kind in new[] { "to", "cc", "bcc" })
            {
                if (personalization[kind] is null)
                    continue;
                if (personalization[kind] is not JsonArray list || list.Count == 0)
                {
                    if (kind != "to")
                        errors.Add(new($"The {kind} array must have at least one email object when present.", $"{field}.{kind}"));
                    continue;
                }
                for (var j = 0; j < list.Count; j++)
                {
                    total++;
                    if (list[j] is not JsonObject address || !IsString(address["email"], out var email) || !IsAddress(email))
                    {
                        errors.Add(new("Does not contain a valid address.", $"{field}.{kind}.{j}.email",
                            $"{Help}#message.personalizations.{kind}"));
                        continue;
                    }
                    if (!seen.Add(email))
                        errors.Add(new($"Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [{email}] in the {field}.{kind} field.",
                            $"{field}.{kind}", $"{Help}#message.recipient-errors"));
                }
            }
            if (total > MaxRecipients)
                errors.Add(new("The total number of recipients must be no more than 1000. This includes all recipients defined within the to, cc, and bcc parameters, across each object that you include in the personalizations array.",
                    field));

            ValidateHeaders(personalization["headers"], $"{field}.headers", errors);
            ValidateCustomArgs(personalization["custom_args"], $"{field}.custom_args", errors);
        }
        return found;
    }

    static void ValidateSubject(JsonObject mail, List<JsonObject> personalizations, bool hasTemplate, List<TestSendGridError> errors)
    {
        if (hasTemplate)
            return;
        var global = IsString(mail["subject"], out var subject) && subject.Length > 0;
        var everyPersonalization = personalizations.Count > 0
            && personalizations.All(p => IsString(p["subject"], out var own) && own.Length > 0);
        if (!global && !everyPersonalization)
            errors.Add(new("The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
                "subject", $"{Help}#message.subject"));
    }

    static void ValidateContent(JsonObject mail, bool hasTemplate, List<TestSendGridError> errors)
    {
        if (mail["content"] is null && hasTemplate)
            return;
        if (mail["content"] is not JsonArray content || content.Count == 0)
        {
            errors.Add(new("Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
                "content", $"{Help}#message.content"));
            return;
        }

        // text/plain first, then text/html, then anything else.
        var lastRank = 0;
        for (var i = 0; i < content.Count; i++)
        {
            if (content[i] is not JsonObject block || !IsString(block["type"], out var type) || type.Length == 0
                || type.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                errors.Add(new("The content type must be a string at least one character in length.", $"content.{i}.type",
                    $"{Help}#message.content.type"));
                continue;
            }
            if (!IsString(block["value"], out var value) || value.Length == 0)
                errors.Add(new("The content value must be a string at least one character in length.", $"content.{i}.value",
                    $"{Help}#message.content.value"));

            var rank = type.Equals("text/plain", StringComparison.OrdinalIgnoreCase) ? 0
                : type.Equals("text/html", StringComparison.OrdinalIgnoreCase) ? 1 : 2;
            if (rank < lastRank)
                errors.Add(new("If present, text/plain content must be first, followed by text/html, followed by any other content.",
                    $"content.{i}.type", $"{Help}#message.content.type"));
            lastRank = Math.Max(lastRank, rank);
        }
    }

    static void ValidateReplyTo(JsonObject mail, List<TestSendGridError> errors)
    {
        if (mail["reply_to"] is not null && mail["reply_to_list"] is not null)
        {
            errors.Add(new("The reply_to and reply_to_list fields are mutually exclusive. Please use only one.", "reply_to"));
            return;
        }
        if (mail["reply_to"] is { } replyTo
            && (replyTo is not JsonObject single || !IsString(single["email"], out var replyToEmail) || !IsAddress(replyToEmail)))
            errors.Add(new("The reply_to email does not contain a valid address.", "reply_to.email", $"{Help}#message.reply_to"));
        if (mail["reply_to_list"] is { } list)
        {
            if (list is not JsonArray { Count: > 0 } addresses)
            {
                errors.Add(new("The reply_to_list must contain at least one email object.", "reply_to_list"));
                return;
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < addresses.Count; i++)
            {
                if (addresses[i] is not JsonObject address || !IsString(address["email"], out var email) || !IsAddress(email))
                    errors.Add(new("The reply_to_list email does not contain a valid address.", $"reply_to_list.{i}.email"));
                else if (!seen.Add(email))
                    errors.Add(new("The reply_to_list emails must be unique.", $"reply_to_list.{i}.email"));
            }
        }
    }

    static void ValidateHeaders(JsonNode? node, string field, List<TestSendGridError> errors)
    {
        if (node is null)
            return;
        if (node is not JsonObject headers)
        {
            errors.Add(new("Invalid type. Expected: object.", field, $"{Help}#message.headers"));
            return;
        }
        foreach (var (name, value) in headers)
        {
            if (!HeaderName().IsMatch(name))
                errors.Add(new($"Invalid header name: {name}", $"{field}.{name}", $"{Help}#message.headers"));
            else if (ReservedHeaders.Contains(name))
                errors.Add(new($"The header {name} is reserved and cannot be set.", $"{field}.{name}", $"{Help}#message.headers"));
            if (!IsString(value, out var text))
                errors.Add(new($"Invalid type. Expected: string, given: {Kind(value)}.", $"{field}.{name}", $"{Help}#message.headers"));
            else if (text.AsSpan().IndexOfAny('\r', '\n') >= 0)
                errors.Add(new("Header values must not contain line breaks.", $"{field}.{name}", $"{Help}#message.headers"));
        }
    }

    static void ValidateCustomArgs(JsonNode? node, string field, List<TestSendGridError> errors)
    {
        if (node is null)
            return;
        if (node is not JsonObject args)
        {
            errors.Add(new("Invalid type. Expected: object.", field, $"{Help}#message.custom_args"));
            return;
        }
        foreach (var (name, value) in args)
        {
            if (!IsString(value, out _))
                errors.Add(new($"Invalid type. Expected: string, given: {Kind(value)}.", $"{field}.{name}", $"{Help}#message.custom_args"));
        }
        if (Encoding.UTF8.GetByteCount(args.ToJsonString()) > MaxCustomArgsBytes)
            errors.Add(new("The custom_args may not be larger than 10,000 bytes.", field, $"{Help}#message.custom_args"));
    }

    static bool IsString(JsonNode? node, out string value)
    {
        value = string.Empty;
        if (node is JsonValue json && json.GetValueKind() == JsonValueKind.String)
        {
            value = json.GetValue<string>();
            return true;
        }
        return false;
    }

    static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Number => "integer",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "string",
    };

    public static bool IsAddress(string email) => Address().IsMatch(email);

    [GeneratedRegex(@"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")]
    private static partial Regex Address();

    // RFC 5322 field names: printable ASCII except the colon.
    [GeneratedRegex(@"^[!-9;-~]+$")]
    private static partial Regex HeaderName();
}
