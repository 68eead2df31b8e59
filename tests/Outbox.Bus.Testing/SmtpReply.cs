namespace Outbox.Bus.Testing;

// A reply a test makes the server send instead of the normal one, e.g. new SmtpReply(451, "4.3.0 Try again later").
// The text goes on the wire right after the code, so put an enhanced status code (RFC 3463) at its start when the
// test needs one.
public sealed record SmtpReply
{
    public SmtpReply(int code, string text)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\r') || text.Contains('\n'))
        {
            // A line break would corrupt the protocol stream: SmtpServer writes the reply as one line.
            throw new ArgumentException("The reply text must be a single line.", nameof(text));
        }

        Code = code;
        Text = text;
        CloseConnection = code == 421;
    }

    public int Code { get; }

    public string Text { get; }

    // Close the connection right after the reply, as real servers do after 421 (so that is the default for 421).
    // Honoured for replies to DATA only.
    public bool CloseConnection { get; init; }

    public bool IsPositive => Code is >= 200 and < 300;

    public override string ToString() => $"{Code} {Text}";
}
