using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Hosting;
using Hl7.Fhir.Model;

namespace EhrShare.Web.Api.Fhir;

/// <summary>The CapabilityStatement: exactly the interactions and search parameters the API implements.</summary>
public static class FhirCapabilities
{
    public static CapabilityStatement Statement(string baseUrl)
    {
        var root = baseUrl[..^FhirControllerBase.Length];
        return new CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = "2026-12-03",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "EhrShare" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "EhrShare FHIR R4 API", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Rest =
            [
                new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Security = Security(root),
                    Resource =
                    [
                        Resource("Patient", [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
                            ("_id", SearchParamType.Token), ("identifier", SearchParamType.Token)),
                        Resource("DocumentReference", [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
                            ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference), ("date", SearchParamType.Date)),
                        Resource("Binary", [CapabilityStatement.TypeRestfulInteraction.Read]),
                        Resource("Observation", [CapabilityStatement.TypeRestfulInteraction.Create, CapabilityStatement.TypeRestfulInteraction.SearchType],
                            ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference), ("code", SearchParamType.Token), ("date", SearchParamType.Date)),
                    ],
                    Interaction = [new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction }],
                },
            ],
        };
    }

    private static readonly string FhirControllerBase = "/" + Controllers.FhirController.BasePath;

    private static CapabilityStatement.ResourceComponent Resource(string type, CapabilityStatement.TypeRestfulInteraction[] interactions,
        params (string Name, SearchParamType Type)[] searchParameters) => new()
    {
        Type = type,
        Interaction = interactions.Select(i => new CapabilityStatement.ResourceInteractionComponent { Code = i }).ToList(),
        SearchParam = searchParameters.Select(p => new CapabilityStatement.SearchParamComponent { Name = p.Name, Type = p.Type }).ToList(),
    };

    private static CapabilityStatement.SecurityComponent Security(string root)
    {
        var oauth = new Extension { Url = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" };
        oauth.Extension.Add(new Extension("authorize", new FhirUri(root + OAuthModule.AuthorizePath)));
        oauth.Extension.Add(new Extension("token", new FhirUri(root + OAuthModule.TokenPath)));
        oauth.Extension.Add(new Extension("revoke", new FhirUri(root + OAuthModule.RevokePath)));
        return new CapabilityStatement.SecurityComponent
        {
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR")],
            Description = "OAuth 2 bearer tokens with SMART v2 scopes: " + string.Join(", ", FhirScopes.All)
                + ". Discovery at /.well-known/smart-configuration.",
            Extension = [oauth],
        };
    }
}
