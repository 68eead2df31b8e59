using System.Text.Json.Nodes;

namespace Outbox.Bus.Testing;

// One request TestSendGridServer received, whatever it answered: lets a test assert that something was NOT called
// (e.g. no mail/send for an unverified sender) or how often (the verification cache).
public sealed record TestSendGridRequest(
    string Method,
    string Path,
    string Query,
    string? Authorization,
    JsonNode? Body,
    int Status,
    DateTimeOffset ReceivedAt);

// A mail/send the server accepted (202), with the parsed JSON body as SendGrid would see it.
public sealed record TestSendGridMessage(JsonObject Body, string MessageId, DateTimeOffset ReceivedAt)
{
    JsonObject Personalization => Body["personalizations"]!.AsArray()[0]!.AsObject();

    public string? FromEmail => Body["from"]?["email"]?.GetValue<string>();

    public string? FromName => Body["from"]?["name"]?.GetValue<string>();

    public string? Subject => Body["subject"]?.GetValue<string>();

    // Addresses of the first personalization's to / cc / bcc (empty when the field is absent).
    public IReadOnlyList<string> To => Emails(Personalization["to"]);

    public IReadOnlyList<string> Cc => Emails(Personalization["cc"]);

    public IReadOnlyList<string> Bcc => Emails(Personalization["bcc"]);

    public string? ReplyTo => Body["reply_to"]?["email"]?.GetValue<string>();

    public IReadOnlyList<string> ReplyToList => Emails(Body["reply_to_list"]);

    // (type, value) in the order sent: SendGrid requires text/plain before text/html.
    public IReadOnlyList<(string Type, string Value)> Contents =>
        Body["content"]?.AsArray().Select(c => (c!["type"]!.GetValue<string>(), c["value"]!.GetValue<string>())).ToArray() ?? [];

    public IReadOnlyDictionary<string, string> Headers => Strings(Body["headers"]);

    public IReadOnlyDictionary<string, string> CustomArgs => Strings(Body["custom_args"]);

    static IReadOnlyList<string> Emails(JsonNode? list) =>
        list?.AsArray().Select(a => a!["email"]!.GetValue<string>()).ToArray() ?? [];

    static IReadOnlyDictionary<string, string> Strings(JsonNode? map) =>
        map?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? new Dictionary<string, string>();
}

// A scripted answer: see TestSendGridServer.RespondWith / RespondOnceWith. Delay holds the answer back, to make the
// client under test time out.
public sealed record TestSendGridResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan? Delay = null);
