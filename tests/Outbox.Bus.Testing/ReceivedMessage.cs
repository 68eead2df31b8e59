using MimeKit;

namespace Outbox.Bus.Testing;

// A message that reached the end of DATA, with its SMTP envelope.
// MailFrom: envelope sender of MAIL FROM; empty for the null reverse-path (MAIL FROM:<>).
// RcptTo: envelope recipients the server accepted with RCPT TO, in order (rejected ones are not here).
// AuthenticatedUser: the user the session authenticated as, or null.
// Raw: the bytes as received, dot-unstuffed, without the terminating CRLF.CRLF.
// SessionId: one per connection, so equal ids mean the messages came over the same connection.
// QueueId: the id in the 250 reply ("2.0.0 Ok: queued as {QueueId}"), which the client sees as the send result;
// empty when the message was rejected.
public sealed record ReceivedMessage(
    MimeMessage Message,
    string MailFrom,
    IReadOnlyList<string> RcptTo,
    DateTimeOffset ReceivedAt,
    string? AuthenticatedUser,
    byte[] Raw,
    Guid SessionId,
    string QueueId);

// A message refused at the end of DATA because the test scripted that reply.
public sealed record RejectedMessage(ReceivedMessage Received, SmtpReply Reply);
