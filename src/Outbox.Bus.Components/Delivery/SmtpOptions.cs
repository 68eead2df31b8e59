namespace Outbox.Bus.Components.Delivery;

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>Connections kept open per account between messages, so a burst reuses them.</summary>
    public int MaxIdleConnectionsPerAccount { get; set; } = 4;

    /// <summary>An idle connection older than this is closed rather than reused; servers drop them anyway.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
