using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EhrShare.Benchmarks.ShareNodes;

/// <summary>
/// A loopback TCP proxy in front of a server that holds every chunk back for half the round-trip time in each
/// direction, without limiting throughput (chunks queue and leave when due): share nodes on separate servers, from
/// one machine. Only for the benchmarks.
/// <para>
/// Each direction of each connection has two threads of its own, a reader that stamps chunks with their due time and
/// a writer that sleeps until then with <see cref="Thread.Sleep(int)"/>. Timer-based waits (<c>Task.Delay</c>) fire
/// several milliseconds late on a loaded 2-core machine (4 ms for a 1 ms delay was measured here), which turned a
/// 2 ms round trip into about 10 ms; a sleeping thread wakes within about 0.1 ms. Sleeps are whole milliseconds
/// rounded up, so each way is at least what is asked and at most about a millisecond more; the benchmark prints the
/// time one statement takes through the proxy.
/// </para>
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly long _oneWayTicks;
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private volatile bool _stopping;

    public LatencyProxy(IPEndPoint target, TimeSpan roundTrip)
    {
        _target = target;
        _oneWayTicks = (long)(roundTrip.TotalSeconds / 2 * Stopwatch.Frequency);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Start(Accept, "accept");
    }

    public int Port { get; }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _listener.Stop();
        Thread[] threads;
        lock (_threads)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            threads = [.. _threads];
        }

        foreach (var thread in threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        return ValueTask.CompletedTask;
    }

    private void Start(Action body, string name)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = $"latency-proxy-{Port}-{name}" };
        lock (_threads)
        {
            _threads.Add(thread);
        }

        thread.Start();
    }

    private void Accept()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.AcceptSocket();
            }
            catch (Exception e) when (_stopping && e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                server.Connect(_target);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_threads)
            {
                if (_stopping)
                {
                    client.Dispose();
                    server.Dispose();
                    return;
                }

                _sockets.Add(client);
                _sockets.Add(server);
            }

            Start(() => Pump(client, server), "up");
            Start(() => Pump(server, client), "down");
        }
    }

    /// <summary>Reads from <paramref name="from"/> and hands each chunk, stamped with its due time, to a writer.</summary>
    private void Pump(Socket from, Socket to)
    {
        using var queue = new BlockingCollection<(long Due, byte[] Data)>();
        var writer = new Thread(() => Deliver(queue, from, to)) { IsBackground = true, Name = $"latency-proxy-{Port}-write" };
        writer.Start();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = from.Receive(buffer)) > 0)
            {
                queue.Add((Stopwatch.GetTimestamp() + _oneWayTicks, buffer[..read]));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The other side or the proxy closed the connection.
        }
        finally
        {
            queue.CompleteAdding();
            writer.Join();
        }
    }

    /// <summary>Sends each chunk when it is due; passes an end of stream on once everything before it is sent.</summary>
    private static void Deliver(BlockingCollection<(long Due, byte[] Data)> queue, Socket from, Socket to)
    {
        try
        {
            foreach (var (due, data) in queue.GetConsumingEnumerable())
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep((int)Math.Ceiling(wait.TotalMilliseconds));
                }

                for (var sent = 0; sent < data.Length;)
                {
                    sent += to.Send(data, sent, data.Length - sent, SocketFlags.None);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The receiving side is gone: stop reading the sending side too.
            from.Dispose();
        }
    }
}
