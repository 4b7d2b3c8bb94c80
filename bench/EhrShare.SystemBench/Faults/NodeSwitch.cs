using System.Net;
using System.Net.Sockets;

namespace EhrShare.SystemBench.Faults;

/// <summary>
/// A TCP relay on loopback in front of one share node's database, which the fault bench can switch off and on: off,
/// it stops listening and cuts every open connection (to the app the node is down: connections refused, queries in
/// flight fail), as a stopped node would be; on, it listens again on the same port. The share nodes of the bench
/// stack are databases of one MariaDB server, so stopping the server would stop every node and the app database.
/// </summary>
public sealed class NodeSwitch : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();
    private Task _accepting = Task.CompletedTask;

    public NodeSwitch(string name, int targetPort)
    {
        Name = name;
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        TurnOn();
    }

    public string Name { get; }

    /// <summary>The port the app connects to instead of the node's.</summary>
    public int Port { get; }

    public bool IsOn => _listener is not null;

    public void TurnOn()
    {
        if (_listener is not null)
        {
            return;
        }

        _cut = new CancellationTokenSource();
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener, _cut.Token);
    }

    /// <summary>Stops listening and cuts every relayed connection; returns once the relay is quiet.</summary>
    public async Task TurnOffAsync()
    {
        if (_listener is not { } listener)
        {
            return;
        }

        _listener = null;
        await _cut.CancelAsync();
        listener.Stop();
        lock (_open)
        {
            foreach (var socket in _open)
            {
                // A reset, as when the node's process is gone: the client sees the connection drop at once.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _open.Clear();
        }

        await _accepting;
        _cut.Dispose();
    }

    public async ValueTask DisposeAsync() => await TurnOffAsync();

    private async Task AcceptAsync(TcpListener listener, CancellationToken cut)
    {
        while (!cut.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cut);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, cut);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cut)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (_open)
        {
            if (cut.IsCancellationRequested)
            {
                client.Close();
                server.Close();
                return;
            }

            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, cut);
            await Task.WhenAll(PumpAsync(client, server, cut), PumpAsync(server, client, cut));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or the other side went away: close both.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Close();
            server.Close();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cut)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, cut)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cut);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay ends; the caller closes both sockets.
        }
    }
}
