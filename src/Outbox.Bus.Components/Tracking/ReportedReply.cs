using System.Security.Cryptography;
using System.Text;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// A reply that has been reported: the guarantee that each reply is reported once, whatever happens to the inbox's UIDs
/// (a new UIDVALIDITY rescans the mailbox), a restart between reporting and moving the high-water mark, or two pollers.
/// </summary>
public class ReportedReply
{
    /// <summary>SHA-256 of the account and the reply's <c>Message-ID</c>: a <c>Message-ID</c> may be longer than any
    /// provider can index.</summary>
    public string Key { get; set; } = null!;

    public string AccountId { get; set; } = null!;
    public Guid JobId { get; set; }
    public string MessageId { get; set; } = null!;
    public DateTime ReportedAt { get; set; }

    public const int MessageIdLength = 998;

    public static string KeyFor(string accountId, string replyMessageId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(accountId + "\n" + replyMessageId)));
}
