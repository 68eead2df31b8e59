namespace Outbox.Bus.Components.Delivery;

public sealed class PickupOptions
{
    public const string Section = "Pickup";

    /// <summary>Lets accounts use the <c>pickup</c> provider. Off in production: it writes to the server's disk.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where <c>.eml</c> files are written; relative paths are under the data directory.</summary>
    public string Directory { get; set; } = "pickup";
}
