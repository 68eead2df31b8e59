using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>
/// Keeps webhook requests (the creation challenge and every delivery) away from the server's own networks: anyone with
/// a client secret chooses the URL, so without this a subscription could probe loopback services, the private network
/// or the cloud metadata endpoint. Every address a host resolves to must be public, unless configuration allows it.
/// <see cref="ConnectAsync"/> repeats the check when the connection is opened and connects to the very address it
/// checked, so a DNS answer that changes between the check and the connection (rebinding) cannot slip through.
/// </summary>
public sealed class CallbackAddressGuard
{
    // Not reachable on the public internet, or not meant to be (RFC 6890 special-purpose registries).
    static readonly IPNetwork[] BlockedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, including the 169.254.169.254 metadata service
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation
        IPNetwork.Parse("192.88.99.0/24"),   // 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, and 255.255.255.255 broadcast
    ];

    static readonly IPNetwork[] BlockedV6 =
    [
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("100::/64"),         // discard
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated, still routed by some stacks)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    // IPv6 forms that carry an IPv4 address: the embedded address decides.
    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    static readonly IPNetwork V4Compatible = IPNetwork.Parse("::/96");

    readonly HostResolver _resolver;
    readonly bool _allowLoopback;
    readonly IReadOnlyList<IPNetwork> _allowed;

    public CallbackAddressGuard(IOptions<WebhookOptions> options, HostResolver resolver)
    {
        _resolver = resolver;
        _allowLoopback = options.Value.AllowLoopback;
        _allowed = options.Value.ParsedAllowedNetworks();
    }

    /// <summary>Whether a request may go to <paramref name="address"/> under this configuration.</summary>
    public bool IsAllowed(IPAddress address)
    {
        address = Canonical(address);
        if (_allowed.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address)))
            return true;
        if (_allowLoopback && IPAddress.IsLoopback(address))
            return true;
        return IsPublic(address);
    }

    /// <summary>Whether <paramref name="address"/> is an ordinary public unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        address = Canonical(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return !BlockedV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        if (BlockedV6.Any(n => n.Contains(address)))
            return false;
        if (EmbeddedV4(address) is { } embedded)
            return IsPublic(embedded);
        return true;
    }

    /// <summary>
    /// The check made before anything is stored, so a client hears why its URL is refused: null when every address of
    /// the host may be reached, otherwise the reason.
    /// </summary>
    public async Task<string?> CheckAsync(Uri uri, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host of callback_url ({uri.Host}) could not be resolved.";
        }
        if (addresses.Length == 0)
            return $"The host of callback_url ({uri.Host}) could not be resolved.";
        if (addresses.Any(a => !IsAllowed(a)))
            return $"callback_url must point to a public address; {uri.Host} is loopback, private, link-local or otherwise reserved.";
        return null;
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses the connection unless every address
    /// is allowed, then connects to the checked addresses themselves (never resolving again).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        if (addresses.FirstOrDefault(a => !IsAllowed(a)) is { } refused)
            throw new CallbackAddressRefusedException(
                $"Refused to connect to {host}: {Canonical(refused)} is not a public address.");

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        // An IP literal is its own answer (the handler may pass an IPv6 literal with or without brackets).
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var address))
            return [address];
        return await _resolver.ResolveAsync(host, cancellationToken);
    }

    /// <summary>IPv4-mapped IPv6 (<c>::ffff:10.0.0.1</c>) is the IPv4 address: judged, and allowed, as such.</summary>
    static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    static IPAddress? EmbeddedV4(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || V4Compatible.Contains(address))
            return new IPAddress(bytes.AsSpan(12, 4));
        if (SixToFour.Contains(address))
            return new IPAddress(bytes.AsSpan(2, 4));
        return null;
    }
}
