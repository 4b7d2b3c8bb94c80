using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EhrShare.Infrastructure.OAuth;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// The FHIR API against the pages it stands beside, one request at a time, the two sides alternating request by request
/// (so both see the same load): a granted doctor reads a 1 MiB record as <c>Binary</c> (bearer token from the real
/// authorization-code + PKCE flow through the consent page) and through the page's download; a patient's gateway
/// (client credentials) posts a transaction Bundle of 100 Observations, and the patient uploads a 100 KiB record through
/// the page. Its own patient and doctor, so it runs alone too (<c>./ehr bench --fhir</c>).
/// </summary>
public sealed partial class FhirApi(BenchApp app, Outbox outbox, Results results, Progress progress)
{
    public const string Section = "fhir";
    public const string PageRead = "page read 1 MiB";
    public const string BinaryRead = "Binary read 1 MiB";
    public const string PageUpload = "page upload 100 KiB";
    public const string BundleStore = "Bundle of 100 Observations";
    public const int BundleSize = 100;
    private const string RedirectUri = "http://127.0.0.1/oauth/callback";

    private readonly byte[] _buffer = new byte[256 * 1024];

    public async Task RunAsync()
    {
        progress.Stage("FHIR API vs pages: a patient, a granted doctor, a gateway, tokens");
        var owner = await World.PatientAsync(app, await World.CreateAreaAsync(app));
        var reader = await World.DoctorAsync(app);
        await World.GrantAsync(app, owner, reader);
        using var patient = await SignedInAsync(owner);
        await patient.UploadAsync("bench fhir 1 MiB", RandomNumberGenerator.GetBytes(Sizes.OneMiB), Sizes.OneMiB);
        var record = await World.RecordIdAsync(app, owner, "bench fhir 1 MiB");
        using var doctor = await SignedInAsync(reader);
        var doctorToken = await AuthorizationCodeTokenAsync(doctor);
        RegisteredDevice device;
        using (var scope = app.Services.CreateScope())
        {
            device = await scope.ServiceProvider.GetRequiredService<GatewayDevices>().RegisterAsync(owner.Id, "bench gateway", CancellationToken.None);
        }

        using var api = new Browser(app.BaseAddress, new Net.TrafficCounter("api"));
        var deviceToken = await ClientCredentialsTokenAsync(api, device.Device.ClientId, device.ClientSecret);

        var page = $"/Doctor/Records/{record}/Download";
        await AlternatingAsync(PageRead, BinaryRead, 100, 10,
            () => ExpectAsync(doctor.GetAsync(page, _buffer), PageRead),
            () => ExpectAsync(api.SendAsync(Bearer(HttpMethod.Get, $"/fhir/R4/Binary/{record}", doctorToken, "application/octet-stream"), _buffer), BinaryRead));

        var upload = RandomNumberGenerator.GetBytes(100 * 1024);
        var n = 0;
        await AlternatingAsync(PageUpload, BundleStore, 20, 3,
            () => patient.UploadAsync($"bench fhir upload {Interlocked.Increment(ref n)}", upload, upload.Length),
            async () =>
            {
                using var request = Bearer(HttpMethod.Post, "/fhir/R4", deviceToken, "application/fhir+json");
                request.Content = new StringContent(Bundle(owner.Id), Encoding.UTF8, "application/fhir+json");
                var (status, body, _) = await api.SendForTextAsync(request);
                if (status != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"The Bundle was refused: HTTP {(int)status} {body}");
                }
            });
        results.Add(Section, BundleStore, "bundle_bytes", Encoding.UTF8.GetByteCount(Bundle(owner.Id)), "B");
        SerialisationSteps(Bundle(owner.Id));
    }

    /// <summary>
    /// Where a Bundle's time goes beyond the upload pipeline: the FHIR JSON work of the request, timed on its own right after
    /// the series (CPU only, no I/O): the strict parse of the request (Firely SDK, as ObservationIntake does), the
    /// serialisation of the stored collection Bundle, and the upload's content check of it, as JSON only (the app wrote
    /// it from the parsed model: docs/decisions/fhir-parsed-once.md).
    /// </summary>
    private void SerialisationSteps(string bundleJson)
    {
        var request = Encoding.UTF8.GetBytes(bundleJson);
        var deserializer = new FhirJsonDeserializer();
        var serializer = new BaseFhirJsonSerializer(ModelInfo.ModelInspector);
        Resource? parsed = null;
        byte[] stored = [];
        var steps = new (string Name, Action Run, List<double> Samples)[]
        {
            ("parse request", () =>
            {
                var reader = new Utf8JsonReader(request);
                deserializer.TryDeserializeResource(ref reader, out parsed, out _);
            }, []),
            ("serialise stored", () =>
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    serializer.Serialize(parsed!, writer);
                }

                stored = buffer.ToArray();
            }, []),
            ("check stored as JSON (content check)", () =>
            {
                var reader = new Utf8JsonReader(stored);
                while (reader.Read())
                {
                }
            }, []),
        };
        for (var i = 0; i < 23; i++)
        {
            foreach (var step in steps)
            {
                var started = Stopwatch.GetTimestamp();
                step.Run();
                if (i >= 3)
                {
                    step.Samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        foreach (var step in steps)
        {
            results.AddLatencies(Section, $"{BundleStore}: {step.Name}", step.Samples);
        }
    }

    /// <summary>A then B, then B then A, and so on (each order equally often), after a warm-up of both; the outbox drained
    /// before the timed requests and after them.</summary>
    private async Task AlternatingAsync(string caseA, string caseB, int iterations, int warmup, Func<Task> a, Func<Task> b)
    {
        for (var i = 0; i < warmup; i++)
        {
            await a();
            await b();
        }

        await outbox.DrainAsync(TimeSpan.FromSeconds(120));
        var samplesA = new List<double>(iterations);
        var samplesB = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            foreach (var (run, into) in i % 2 == 0 ? new[] { (a, samplesA), (b, samplesB) } : [(b, samplesB), (a, samplesA)])
            {
                var started = Stopwatch.GetTimestamp();
                await run();
                into.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            progress.Report($"{caseA} / {caseB}: {i + 1}/{iterations}");
        }

        await outbox.DrainAsync(TimeSpan.FromSeconds(120));
        var statsA = results.AddLatencies(Section, caseA, samplesA);
        var statsB = results.AddLatencies(Section, caseB, samplesB);
        results.Add(Section, $"{caseB} / {caseA}", "p50_ratio", statsB.P50 / statsA.P50, "×");
    }

    private static async Task ExpectAsync(Task<(HttpStatusCode Status, long Length)> read, string what)
    {
        var (status, length) = await read;
        if (status != HttpStatusCode.OK || length != Sizes.OneMiB)
        {
            throw new InvalidOperationException($"{what}: HTTP {(int)status} with {length} bytes (expected 200 with {Sizes.OneMiB}).");
        }
    }

    private async Task<Browser> SignedInAsync(BenchUser user)
    {
        var browser = new Browser(app.BaseAddress, new Net.TrafficCounter("browser"));
        await browser.SignInAsync(user.Email, World.Password);
        return browser;
    }

    private static HttpRequestMessage Bearer(HttpMethod method, string url, string token, string accept)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(accept);
        return request;
    }

    /// <summary>What the mobile app does: the authorize URL in the (signed-in) browser, Allow on the consent page, then the
    /// code and the PKCE verifier at the token endpoint.</summary>
    private static async Task<string> AuthorizationCodeTokenAsync(Browser doctor)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = "/connect/authorize?client_id=ehrshare-mobile&response_type=code&scope=user%2F*.rs&state=bench"
            + $"&redirect_uri={Uri.EscapeDataString(RedirectUri)}&code_challenge={challenge}&code_challenge_method=S256";
        var (status, consent, _) = await doctor.SendForTextAsync(new HttpRequestMessage(HttpMethod.Get, authorize));
        var form = ConsentForm().Match(consent);
        if (status != HttpStatusCode.OK || !form.Success)
        {
            throw new InvalidOperationException($"The authorize request did not show the consent page: HTTP {(int)status}.");
        }

        var fields = Inputs().Matches(form.Value).Select(m => (Attribute(m.Value, "name"), Attribute(m.Value, "value")))
            .Where(f => f.Item1 is not null).Select(f => new KeyValuePair<string, string>(f.Item1!, f.Item2 ?? "")).ToList();
        fields.Add(new("decision", "allow"));
        var (allowed, _, location) = await doctor.SendForTextAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/authorize") { Content = new FormUrlEncodedContent(fields) });
        var code = location is null ? null : System.Web.HttpUtility.ParseQueryString(location.Query)["code"];
        if (allowed != HttpStatusCode.Redirect || code is null)
        {
            throw new InvalidOperationException($"The consent page did not redirect with a code: HTTP {(int)allowed}.");
        }

        return await TokenAsync(doctor, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = "ehrshare-mobile",
            ["code_verifier"] = verifier,
        });
    }

    private static Task<string> ClientCredentialsTokenAsync(Browser api, string clientId, string secret) =>
        TokenAsync(api, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "patient/Observation.c",
        });

    private static async Task<string> TokenAsync(Browser client, Dictionary<string, string> fields)
    {
        var (status, body, _) = await client.SendForTextAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(fields) });
        return status == HttpStatusCode.OK
            ? JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!
            : throw new InvalidOperationException($"The token endpoint answered HTTP {(int)status}: {body}");
    }

    /// <summary>A transaction Bundle of <see cref="BundleSize"/> heart rate readings, a minute apart.</summary>
    private static string Bundle(string patientId)
    {
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, BundleSize).Select(i => new
        {
            request = new { method = "POST", url = "Observation" },
            resource = new
            {
                resourceType = "Observation",
                status = "final",
                code = new { coding = new[] { new { system = "http://loinc.org", code = "8867-4", display = "Heart rate" } } },
                subject = new { reference = "Patient/" + patientId },
                effectiveDateTime = start.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                valueQuantity = new { value = 60 + (i % 40), unit = "beats/minute", system = "http://unitsofmeasure.org", code = "/min" },
            },
        });
        return JsonSerializer.Serialize(new { resourceType = "Bundle", type = "transaction", entry = entries });
    }

    private static string? Attribute(string tag, string name) =>
        Regex.Match(tag, $"""\s{name}="([^"]*)" """.TrimEnd()) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("""<form[^>]*id="consent-form".*?</form>""", RegexOptions.Singleline)]
    private static partial Regex ConsentForm();

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*>""")]
    private static partial Regex Inputs();
}
