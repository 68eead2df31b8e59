using System.Net;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>DNS for callback hosts. A seam so tests can answer differently from one lookup to the next (DNS rebinding).</summary>
public class HostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
