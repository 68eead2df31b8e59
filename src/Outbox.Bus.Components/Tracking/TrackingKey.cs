namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// The HMAC key that signs tracking tokens, stored once for every process (the API checks what the senders signed) and
/// only as Data Protection ciphertext, like provider passwords: a copy of the database alone cannot forge tokens.
/// </summary>
public class TrackingKey
{
    public const int Current = 1;

    public int Id { get; set; }
    public string ProtectedKey { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
}
