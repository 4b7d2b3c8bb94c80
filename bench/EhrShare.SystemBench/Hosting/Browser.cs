using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EhrShare.SystemBench.Net;

namespace EhrShare.SystemBench.Hosting;

/// <summary>
/// What a browser does against the app, over a real TCP connection: cookies, the antiforgery token read from a page,
/// the streamed multipart upload that wwwroot/js/upload.js sends (token in the RequestVerificationToken header),
/// downloads read to the last byte, and form posts. Every byte on its connections is counted in
/// the given traffic counter (shared by all browsers: the network stage runs one operation at a time).
/// </summary>
public sealed partial class Browser : IDisposable
{
    private readonly HttpClient _http;
    private string? _token;

    public Browser(Uri app, TrafficCounter traffic)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    traffic.AddConnection();
                    return new CountingStream(new NetworkStream(socket, ownsSocket: true), traffic);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = app, Timeout = TimeSpan.FromMinutes(5) };
    }

    public async Task SignInAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var token = await TokenFromAsync("/Account/Login", cancellationToken);
        using var response = await _http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: HTTP {(int)response.StatusCode}.");
        }

        _token = null;
    }

    /// <summary>Loads a page as the browser would before a post, and keeps its antiforgery token.</summary>
    public async Task LoadPageAsync(string page, CancellationToken cancellationToken = default) =>
        _token = await TokenFromAsync(page, cancellationToken);

    /// <summary>POST /Patient/Upload: multipart, file last, streamed, token in the header (wwwroot/js/upload.js). The
    /// content's first bytes are made a PDF's signature (in place), as the app checks content against its type.</summary>
    public Task UploadAsync(string title, byte[] content, int length, CancellationToken cancellationToken = default)
    {
        GeneratedContent.PdfSignature[..Math.Min(length, GeneratedContent.PdfSignature.Length)].CopyTo(content);
        return UploadAsync(title, new ByteArrayContent(content, 0, length), cancellationToken);
    }

    /// <summary>The same upload with the file's bytes from <paramref name="file"/> (which the form disposes).</summary>
    public async Task UploadAsync(string title, HttpContent file, CancellationToken cancellationToken = default)
    {
        var (status, body) = await TryUploadAsync(title, file, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Upload failed: HTTP {(int)status} {body}");
        }
    }

    /// <summary>The upload as the page sends it; returns the app's answer (status, and the JSON message) whatever it is.</summary>
    public async Task<(HttpStatusCode Status, string Body)> TryUploadAsync(string title, HttpContent file, CancellationToken cancellationToken = default)
    {
        _token ??= await TokenFromAsync("/Patient", cancellationToken);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(title), "Title" },
            { new StringContent(""), "Notes" },
        };
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "File", "record.pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        request.Headers.Add("RequestVerificationToken", _token);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>GETs a URL and reads the body to its last byte; returns the status and the body length.</summary>
    public async Task<(HttpStatusCode Status, long Length)> GetAsync(string url, byte[] buffer, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await SendAsync(request, buffer, cancellationToken);
    }

    /// <summary>GETs a URL; returns the status, and for a 200 the body's length and SHA-256.</summary>
    public async Task<(HttpStatusCode Status, long Length, byte[]? Sha256)> GetHashedAsync(string url, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, 0, null);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (response.StatusCode, total, hash.GetHashAndReset());
    }

    /// <summary>Posts a form with the token of the page loaded last (as the page's own form would); expects a redirect.</summary>
    public async Task PostFormAsync(string url, IDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = _token ?? throw new InvalidOperationException("Load the page first.") };
        using var response = await _http.PostAsync(url, new FormUrlEncodedContent(values), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"POST {url} failed: HTTP {(int)response.StatusCode}.");
        }

        // The app reports a use-case failure on the page it redirects to; a success says so in TempData. Either way the
        // browser would follow the redirect: that is another page load, not part of this operation.
    }

    /// <summary>Sends a request as built by the caller (a bearer token, an Accept header) and reads the body to its last
    /// byte; returns the status and the body length.</summary>
    public async Task<(HttpStatusCode Status, long Length)> SendAsync(HttpRequestMessage request, byte[] buffer, CancellationToken cancellationToken = default)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += n;
        }

        return (response.StatusCode, total);
    }

    /// <summary>Sends a request and returns the status, the body as text and the redirect target, whatever they are.</summary>
    public async Task<(HttpStatusCode Status, string Body, Uri? Location)> SendForTextAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using var response = await _http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.Location);
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> TokenFromAsync(string page, CancellationToken cancellationToken)
    {
        var html = await _http.GetStringAsync(page, cancellationToken);
        return TokenInput().Match(html) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException($"No antiforgery token on {page}.");
    }

    [GeneratedRegex("""<input[^>]*name="__RequestVerificationToken"[^>]*value="([^"]+)"[^>]*>""")]
    private static partial Regex TokenInput();
}
