namespace Outbox.Bus.Testing;

// What TestSmtpServer does instead of replying to the end of DATA; see TestSmtpServer.FaultOnce.
public enum SmtpFault
{
    // Never answers: the client's command timeout has to end the attempt.
    Hang,

    // Closes the connection without a reply, after the whole message has arrived.
    Drop,
}
