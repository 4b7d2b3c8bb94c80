using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace EhrShare.Testing;

/// <summary>
/// A real TLS-terminating reverse proxy in front of the app: Debian's nginx (installed by ./ehr test), one process in
/// the foreground (no daemon, no master: it stays our child and runs as the test's user), with a configuration and a
/// self-signed certificate (made by openssl) in a folder of its own under the test stack's data folder. It listens on
/// two free loopback ports, plain HTTP and HTTPS, passes every request to the app's port with <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c>, and connects to the app from <see cref="ProxyAddress"/> (127.0.0.2), so the app can
/// tell the proxy from a client on 127.0.0.1. Disposing kills it (its own process only) and deletes the folder.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    /// <summary>The address nginx connects to the app from (<c>proxy_bind</c>): the one the app is told to trust.</summary>
    public static readonly IPAddress ProxyAddress = IPAddress.Parse("127.0.0.2");

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly Process _process;
    private readonly byte[] _certificate;

    private NginxProcess(Process process, string folder, int httpPort, int httpsPort, byte[] certificate)
    {
        _process = process;
        Folder = folder;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
        _certificate = certificate;
    }

    public string Folder { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    public Uri HttpsAddress => new($"https://127.0.0.1:{HttpsPort.ToString(CultureInfo.InvariantCulture)}/");

    public ProcessOutput Output { get; } = new();

    /// <summary>Starts nginx in front of the app that will listen on 127.0.0.1:<paramref name="appPort"/>; waits until both its ports answer.</summary>
    public static async Task<NginxProcess> StartAsync(int appPort)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The reverse-proxy tests run Debian's nginx.");
        }

        var folder = Path.Combine(TestStack.StackDir, "nginx", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, OwnerOnly);
        byte[] certificate;
        var (httpPort, httpsPort) = (LocalPorts.Free(), LocalPorts.Free());
        var config = Path.Combine(folder, "nginx.conf");
        try
        {
            certificate = await MakeCertificateAsync(folder);
            await File.WriteAllTextAsync(config, Configuration(folder, httpPort, httpsPort, appPort));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }

        var start = new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -e: the log before the configuration is read (otherwise /var/log/nginx, which a non-root user cannot open).
        foreach (var arg in new[] { "-e", "stderr", "-p", folder + "/", "-c", config })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var nginx = new NginxProcess(process, folder, httpPort, httpsPort, certificate);
        try
        {
            process.Start();
            nginx.Output.Attach(process);
            await nginx.WaitUntilListeningAsync();
        }
        catch (Exception e)
        {
            await nginx.DisposeAsync();
            throw new InvalidOperationException($"nginx (Debian package nginx) did not start: {e.Message}\n{nginx.Output.Tail()}", e);
        }

        return nginx;
    }

    /// <summary>
    /// A client that connects from <paramref name="clientAddress"/> (a loopback address of its own, so the app's log can
    /// tell it apart), trusts exactly this proxy's certificate, and follows redirects only when asked to.
    /// </summary>
    public SocketsHttpHandler CreateHandler(IPAddress clientAddress, bool followRedirects = false) => new()
    {
        AllowAutoRedirect = followRedirects,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(_certificate),
        },
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = new Socket(clientAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(clientAddress, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static string Configuration(string folder, int httpPort, int httpsPort, int appPort)
    {
        var invariant = CultureInfo.InvariantCulture;
        return $$"""
            daemon off;
            master_process off;
            pid {{folder}}/nginx.pid;
            error_log stderr notice;
            events { worker_connections 128; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/client_body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
              server {
                listen 127.0.0.1:{{httpPort.ToString(invariant)}};
                listen 127.0.0.1:{{httpsPort.ToString(invariant)}} ssl;
                ssl_certificate {{folder}}/cert.pem;
                ssl_certificate_key {{folder}}/key.pem;
                location / {
                  proxy_bind {{ProxyAddress}};
                  proxy_pass http://127.0.0.1:{{appPort.ToString(invariant)}};
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                }
              }
            }
            """;
    }

    /// <summary>A throw-away self-signed certificate (P-256, one day) for the proxy's HTTPS side; returns its DER bytes.</summary>
    private static async Task<byte[]> MakeCertificateAsync(string folder)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=ehr.test",
                     "-addext", "subjectAltName=DNS:ehr.test",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var openssl = Process.Start(start)!;
        var output = openssl.StandardOutput.ReadToEndAsync();
        var errors = openssl.StandardError.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        if (openssl.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl could not make the proxy's certificate: {await output}{await errors}");
        }

        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(folder, "cert.pem")));
        return certificate.RawData;
    }

    private async Task WaitUntilListeningAsync()
    {
        var watch = Stopwatch.StartNew();
        while (!(await AnswersAsync(HttpPort) && await AnswersAsync(HttpsPort)))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"nginx exited with code {_process.ExitCode}");
            }

            if (watch.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"nginx did not listen on {HttpPort} and {HttpsPort} within {StartTimeout.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
