namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// How far an account's inbox has been read: every message up to <see cref="LastUid"/> of <see cref="UidValidity"/> has
/// been looked at, so a poll (or a restart) reads only what arrived since.
/// </summary>
public class ImapMailboxState
{
    public string AccountId { get; set; } = null!;
    public long UidValidity { get; set; }
    public long LastUid { get; set; }
    public DateTime UpdatedAt { get; set; }
}
