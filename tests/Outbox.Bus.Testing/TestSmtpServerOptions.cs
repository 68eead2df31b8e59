namespace Outbox.Bus.Testing;

// Every property is optional; the defaults give an open server that accepts everything.
public sealed class TestSmtpServerOptions
{
    // With both set, the server advertises AUTH PLAIN LOGIN without TLS (tests run on loopback without
    // certificates) and answers wrong credentials with 535.
    public string? Username { get; init; }

    public string? Password { get; init; }

    // MAIL FROM gets 530 until the session has authenticated. Needs Username and Password.
    public bool AuthenticationRequired { get; init; }

    // Chooses the reply to the end of DATA for each message; null means accept with 250.
    // Can be replaced later with TestSmtpServer.RespondWith.
    public Func<ReceivedMessage, SmtpReply?>? OnMessage { get; init; }

    // Shown in the greeting and the EHLO reply.
    public string ServerName { get; init; } = "outbox-test-smtp";

    // SmtpServer drops any session open longer than this (its own default is 2 minutes); long here so a test
    // can keep a pooled connection open.
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
