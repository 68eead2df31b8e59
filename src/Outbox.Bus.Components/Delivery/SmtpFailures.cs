using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Delivery;

/// <summary>Turns what MailKit throws into the failure classes the saga decides on.</summary>
public static partial class SmtpFailures
{
    public static MailDeliveryException Classify(Exception exception)
    {
        switch (exception)
        {
            case MailDeliveryException classified:
                return classified;
            // MailKit raises every non-235 AUTH reply as AuthenticationException, "454: …" included: a temporary
            // refusal (too many logins, a server hiccup) must not lock the account out.
            case AuthenticationException when TemporaryReply().IsMatch(exception.Message):
                return new(FailureKind.Transient, "The SMTP server refused the login for now", exception.Message, exception);
            case AuthenticationException or ServiceNotAuthenticatedException:
                return new(FailureKind.Authentication, "Invalid authentication", exception.Message, exception);
            case SmtpCommandException command:
            {
                var code = (int)command.StatusCode;
                var reply = $"{code} {command.Message}".Trim();
                if (code is 530 or 534 or 535)
                    return new(FailureKind.Authentication, "Invalid authentication", reply, exception);
                if (IsDailyLimit(code, command.Message))
                    return new(FailureKind.DailyLimit, "Provider daily sending limit reached", reply, exception);
                if (code >= 500)
                {
                    var reason = command.ErrorCode == SmtpErrorCode.RecipientNotAccepted
                        ? $"Recipient {command.Mailbox?.Address} rejected: {reply}"
                        : $"Message rejected: {reply}";
                    return new(FailureKind.Permanent, reason, reply, exception);
                }
                return new(FailureKind.Transient, $"Provider deferred the message: {reply}", reply, exception);
            }
            case SslHandshakeException:
                return new(FailureKind.Transient, "TLS handshake with the SMTP server failed", exception.Message, exception);
            // Said apart because they mean different things to whoever reads the job: no server, a silent one, a lost line.
            case TimeoutException or OperationCanceledException or IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut } }:
                return new(FailureKind.Transient, "The SMTP server did not answer in time", exception.Message, exception);
            case SocketException:
                return new(FailureKind.Transient, "Could not reach the SMTP server", exception.Message, exception);
            case IOException or SmtpProtocolException or ServiceNotConnectedException:
                return new(FailureKind.Transient, "The SMTP server closed the connection", exception.Message, exception);
            default:
                return new(FailureKind.Transient, "Unexpected error while sending", exception.Message, exception);
        }
    }

    // Gmail's "550 5.4.5 Daily sending quota exceeded" and the 421/451 quota replies of other providers.
    static bool IsDailyLimit(int code, string message) =>
        message.Contains("5.4.5", StringComparison.Ordinal)
        || (code is 421 or 450 or 451 or 452 or 550 or 554
            && (message.Contains("quota", StringComparison.OrdinalIgnoreCase)
                || message.Contains("daily", StringComparison.OrdinalIgnoreCase)
                || message.Contains("limit exceeded", StringComparison.OrdinalIgnoreCase)));

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*4\d\d\b")]
    private static partial System.Text.RegularExpressions.Regex TemporaryReply();
}
