using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>A wearable gateway: registered by its patient on the Devices page, then, as the device itself, a
/// client-credentials token and FHIR Observations posted over plain HTTP (no browser).</summary>
public sealed record Gateway(string ClientId, string Secret)
{
    /// <summary>The patient registers a device on the Devices page and reads the id and the secret shown once.</summary>
    public static async Task<Gateway> RegisterAsync(IPage patient, string name)
    {
        await patient.GotoAsync("/Patient/Devices");
        await patient.GetByLabel("Device name").FillAsync(name);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Register a device" }).ClickAsync();
        await Expect(patient.Locator("#device-secret")).ToContainTextAsync($"{name} is registered");
        return new Gateway(
            (await patient.Locator("[data-client-id]").InnerTextAsync()).Trim(),
            (await patient.Locator("[data-client-secret]").InnerTextAsync()).Trim());
    }

    /// <summary>Posts a transaction Bundle (FHIR JSON) with the device's own token; fails unless it is stored.</summary>
    public async Task PostBundleAsync(Uri app, string bundleJson)
    {
        using var http = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromMinutes(2) };
        using var tokenResponse = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = Secret,
            ["scope"] = "patient/Observation.c",
        }));
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.True(tokenResponse.IsSuccessStatusCode, token.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/R4")
        {
            Content = new StringContent(bundleJson, Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        using var stored = await http.SendAsync(request);
        Assert.True(stored.IsSuccessStatusCode, $"{(int)stored.StatusCode}: {await stored.Content.ReadAsStringAsync()}");
    }

    /// <summary>A transaction Bundle of heart rate readings and blood pressure panels (LOINC 8867-4, 85354-9).</summary>
    public static string VitalsBundle(IEnumerable<(DateTimeOffset At, int Bpm)> heartRates, IEnumerable<(DateTimeOffset At, int Systolic, int Diastolic)> pressures)
    {
        static object Entry(object resource) => new { request = new { method = "POST", url = "Observation" }, resource };
        static object Coding(string code, string display) => new { coding = new[] { new { system = "http://loinc.org", code, display } } };
        static object MmHg(int value) => new { value, unit = "mmHg", system = "http://unitsofmeasure.org", code = "mm[Hg]" };
        var entries = heartRates.Select(h => Entry(new
        {
            resourceType = "Observation",
            status = "final",
            code = Coding("8867-4", "Heart rate"),
            effectiveDateTime = h.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            valueQuantity = new { value = h.Bpm, unit = "beats/minute", system = "http://unitsofmeasure.org", code = "/min" },
        })).Concat(pressures.Select(p => Entry(new
        {
            resourceType = "Observation",
            status = "final",
            code = Coding("85354-9", "Blood pressure panel"),
            effectiveDateTime = p.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            component = new object[]
            {
                new { code = Coding("8480-6", "Systolic blood pressure"), valueQuantity = MmHg(p.Systolic) },
                new { code = Coding("8462-4", "Diastolic blood pressure"), valueQuantity = MmHg(p.Diastolic) },
            },
        })));
        return JsonSerializer.Serialize(new { resourceType = "Bundle", type = "transaction", entry = entries });
    }
}
