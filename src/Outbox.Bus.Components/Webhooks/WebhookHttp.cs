namespace Outbox.Bus.Components.Webhooks;

/// <summary>The one way webhook requests leave the process: the named client whose handler goes through
/// <see cref="CallbackAddressGuard"/>.</summary>
public static class WebhookHttp
{
    public const string ClientName = "webhooks";

    public static SocketsHttpHandler CreateHandler(CallbackAddressGuard guard, WebhookOptions options) => new()
    {
        // The guard checks the address of each connection: it must make them all.
        ConnectCallback = guard.ConnectAsync,
        // A proxy would make the connection for us, to an address the guard never sees.
        UseProxy = false,
        // A redirect could lead anywhere, including where the guard would refuse; a 3xx simply counts as not 2xx.
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = options.Timeout,
        // Connections are re-made now and then, so a receiver's DNS change is followed (and checked again).
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };
}
