namespace Outbox.Bus.Components.Tracking;

/// <summary>One open of a message's pixel or one click on one of its links, as the endpoint saw it.</summary>
public class TrackingEvent
{
    public Guid Id { get; set; }
    public Guid JobId { get; set; }
    public string AccountId { get; set; } = null!;

    /// <summary><see cref="TrackingEventKinds.Open"/> or <see cref="TrackingEventKinds.Click"/>.</summary>
    public string Kind { get; set; } = null!;

    /// <summary>For clicks: the link's position among the message's tracked links, and its original target.</summary>
    public int? LinkIndex { get; set; }
    public string? Url { get; set; }

    public string? Ip { get; set; }
    public string? UserAgent { get; set; }
    public DateTime At { get; set; }
}

public static class TrackingEventKinds
{
    public const string Open = "open";
    public const string Click = "click";
}

public static class TrackingEventLimits
{
    public const int UrlLength = 4096;
    public const int IpLength = 45;
    public const int UserAgentLength = 512;
}
