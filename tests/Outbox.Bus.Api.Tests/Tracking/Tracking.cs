using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Outbox.Bus.Api.Tests.Infrastructure;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Api.Tests.Tracking;

/// <summary>Starting a host for the tracking tests, and following a received message's tracking URLs as a reader would.</summary>
public static partial class Tracking
{
    /// <summary>Where tracking URLs point: a public name, as in production. Tests send the path to the host itself.</summary>
    public const string BaseUrl = "https://track.example.test/outbox";

    public const string UserAgent = "Mozilla/5.0 (Outbox.Bus tests) TrackingReader/1.0";

    /// <summary>The webhook test host with a tracking base URL and a short reply-poll interval, listening on a real port
    /// so pixels and links are fetched over a socket (the recorded IP is the reader's).</summary>
    public static Task<OutboxBusApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Tracking:BaseUrl"] = BaseUrl,
            ["Tracking:ReplyPollInterval"] = "00:00:00.300",
            ["Tracking:ImapTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        return Webhooks.Webhooks.StartAsync(values, kestrel: true);
    }

    /// <summary>A send body asking for <paramref name="tracking"/>.</summary>
    public static JsonObject Message(JsonObject tracking, string body = Body, string subject = "Tracked")
    {
        var message = Json.Message(subject: subject);
        message["body"] = body;
        message["tracking"] = tracking;
        return message;
    }

    public const string Body =
        """<html><body><p>Hi <a href="https://example.com/offer?a=1&amp;b=2">the offer</a>, <a href='http://example.org/plain'>plain</a>, """ +
        """<a href="mailto:sales@example.com">mail us</a>, <a href="#top">top</a>, <a href="/relative">relative</a>.</p></body></html>""";

    /// <summary>Sends the message and returns its job id with the HTML part the SMTP server received.</summary>
    public static async Task<(string JobId, string Html, ReceivedMessage Received)> SendAndReceive(this OutboxBusApp app, Account account,
        JsonObject message)
    {
        var jobId = (await account.Send(message)).Str("job_status_id");
        var received = await app.Smtp.WaitForMessageAsync(m => m.Message.Headers["X-Outbox-Bus-Job"] == jobId);
        return (jobId, received.Message.HtmlBody ?? "", received);
    }

    /// <summary>The pixel's URL in a received HTML part.</summary>
    public static string PixelUrl(string html) =>
        Pixel().Match(html) is { Success: true } match ? System.Net.WebUtility.HtmlDecode(match.Groups["url"].Value)
            : throw new InvalidOperationException($"No tracking pixel in: {html}");

    /// <summary>Every href of the received HTML part, in order.</summary>
    public static string[] Links(string html) =>
        Href().Matches(html).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups["url"].Value)).ToArray();

    /// <summary>A reader's client: no cookies, no redirects followed, a browser-like User-Agent, aimed at the host's real port.</summary>
    public static HttpClient Reader(this OutboxBusApp app)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = app.ClientOptions.BaseAddress,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return client;
    }

    /// <summary>Follows a tracking URL of a message: the same path, on this host instead of the public name.</summary>
    public static Task<HttpResponseMessage> Follow(this HttpClient reader, string trackingUrl)
    {
        Assert.StartsWith(BaseUrl + "/t/", trackingUrl);
        return reader.GetAsync(trackingUrl[BaseUrl.Length..].TrimStart('/'));
    }

    /// <summary>An <c>imap</c> account whose SMTP server is the test server and whose inbox is <paramref name="imap"/>.</summary>
    public static async Task<Account> ConnectWithInboxAsync(this OutboxBusApp app, TestImapServer imap, string email = "sender@example.com")
    {
        using var client = app.CreateClient();
        var authorize = await client.PostAsJsonAsync("/connect/authorize", new
        {
            client_id = OutboxBusApp.ClientId,
            name = "Sender",
            email_address = email,
            provider = "imap",
            scopes = "email.send",
            settings = new
            {
                smtp_host = app.Smtp.Host,
                smtp_port = app.Smtp.Port,
                ssl_required = false,
                imap_host = imap.Host,
                imap_port = imap.Port,
                imap_username = imap.User,
                imap_password = imap.Password,
            },
        });
        authorize.EnsureSuccessStatusCode();
        var code = (await authorize.ReadObject()).Str("code");
        var token = await client.PostAsJsonAsync("/connect/token", new { client_id = OutboxBusApp.ClientId, client_secret = OutboxBusApp.ClientSecret, code });
        token.EnsureSuccessStatusCode();
        var body = await token.ReadObject();
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("access_token"));
        return new Account(body.Str("account_id"), body.Str("access_token"), email, http);
    }

    /// <summary>How far the reply poller has read the account's inbox (the last UID it looked at), or null.</summary>
    public static async Task<long?> InboxMark(this OutboxBusApp app, string accountId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        return await db.ImapMailboxStates.AsNoTracking().Where(s => s.AccountId == accountId).Select(s => (long?)s.LastUid).SingleOrDefaultAsync();
    }

    /// <summary>How many replies have been reported for the account.</summary>
    public static async Task<int> ReportedReplies(this OutboxBusApp app, string accountId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        return await db.ReportedReplies.CountAsync(r => r.AccountId == accountId);
    }

    public static async Task WaitForInboxMark(this OutboxBusApp app, string accountId, long uid, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (await app.InboxMark(accountId) is not { } mark || mark < uid)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The reply poller did not read past UID {uid} of account {accountId}");
            await Task.Delay(50);
        }
    }

    public static MimeMessage Reply(string messageId, string inReplyTo, string from = "bob@example.com")
    {
        var message = new MimeMessage { MessageId = messageId, Subject = "Re: Tracked", Date = DateTimeOffset.UtcNow, InReplyTo = inReplyTo };
        message.References.Add(inReplyTo);
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("sender@example.com"));
        message.Body = new TextPart("plain") { Text = "Sounds good." };
        return message;
    }

    /// <summary>deltas[0].object_data.metadata of a notification.</summary>
    public static JsonObject Metadata(this TestWebhookRequest notification) => notification.Delta["object_data"]!["metadata"]!.AsObject();

    [GeneratedRegex("""<img src="(?<url>[^"]+)" width="1" height="1" """)]
    private static partial Regex Pixel();

    [GeneratedRegex("""href=["']?(?<url>[^"' >]+)""")]
    private static partial Regex Href();
}
