using System.Net.Http.Headers;
using Hl7.Fhir.Rest;

namespace EhrShare.Web.Tests.Api;

/// <summary>The Firely SDK's own <see cref="FhirClient"/>, an independent FHIR client, on the app's in-process server
/// with a bearer token.</summary>
public static class FhirClients
{
    public static FhirClient For(EhrAppFactory app, string accessToken)
    {
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return new FhirClient(new Uri(http.BaseAddress!, "fhir/R4"), http, new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
        });
    }
}
