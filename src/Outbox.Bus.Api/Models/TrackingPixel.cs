namespace Outbox.Bus.Api.Models;

/// <summary>The open pixel: a transparent 1×1 GIF, the smallest image every mail client renders.</summary>
public static class TrackingPixel
{
    public const string ContentType = "image/gif";

    public static readonly byte[] Gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
}
