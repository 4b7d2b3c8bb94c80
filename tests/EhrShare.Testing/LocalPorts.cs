using System.Net;
using System.Net.Sockets;

namespace EhrShare.Testing;

public static class LocalPorts
{
    /// <summary>
    /// A loopback port that was free a moment ago (the OS picks it). Another process could take it before the
    /// caller binds it; the servers tests start fail loudly in that case rather than talk to the wrong server.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
