using System.Net;
using System.Net.Sockets;

namespace Outbox.Bus.Testing;

// Returns a loopback TCP port that is free at the moment of the call. Another process can take it before
// the caller binds it, so a listener you own should bind port 0 instead (TestSmtpServer does); use this only
// when a port number is needed up front, e.g. to configure an external process.
public static class FreeTcpPort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
