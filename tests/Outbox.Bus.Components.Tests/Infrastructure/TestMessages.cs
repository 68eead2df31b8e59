using Outbox.Bus.Components.StateMachines;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>Typical message contents; tests override what they are about.</summary>
public static class TestMessages
{
    public const string AccountId = "account0000000000000000001";

    public static EmailMessage Email(string subject = "Hello", string from = "sender@example.com", string to = "bob@example.com",
        string? body = "<p>Hello <b>Bob</b></p>") => new(
        From: [new EmailAddress(from, "Sender")],
        To: [new EmailAddress(to, "Bob")],
        Cc: [new EmailAddress("carol@example.com", "Carol")],
        Bcc: [new EmailAddress("dave@example.com")],
        ReplyTo: [new EmailAddress("replies@example.com", "Replies")],
        Subject: subject,
        Body: body);

    /// <summary>A new job's command: due at <paramref name="sendAt"/> (now when null), retried for a day unless told.</summary>
    public static ScheduleSend Schedule(Guid? jobId = null, DateTime? sendAt = null, DateTime? retryLimit = null,
        EmailMessage? message = null, bool sendNow = false, string accountId = AccountId)
    {
        var now = DateTime.UtcNow;
        var at = sendAt ?? now;
        return new ScheduleSend(jobId ?? Guid.NewGuid(), accountId, message ?? Email(), at, retryLimit ?? at.AddHours(24), now, sendNow);
    }

    public static DeliverMessage Deliver(string accountId, EmailMessage? message = null, Guid? jobId = null, int attempt = 1)
    {
        var id = jobId ?? Guid.NewGuid();
        var content = message ?? Email();
        return new DeliverMessage(id, accountId, attempt, MessageIds.For(id, content), content);
    }
}
