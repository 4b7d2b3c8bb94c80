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
                        AuditEvents(),
                        Consents(),
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

    private static CapabilityStatement.ResourceComponent AuditEvents()
    {
        var audit = Resource("AuditEvent", [CapabilityStatement.TypeRestfulInteraction.SearchType],
            ("patient", SearchParamType.Reference), ("date", SearchParamType.Date));
        audit.SearchParam[0].Documentation = "The patient's own token only, and only themself (Patient/{id}, or left out).";
        audit.SearchParam[1].Documentation = "Prefixes eq, ge, gt, le, lt (not ne), any precision; several are all applied. Matches when the event happened (a read's time, else its block's).";
        audit.Documentation = "The patient's access history from the chain index (as the History page), newest first, "
            + $"{Core.Access.AccessHistory.PageSize} a page with next/previous links; each event's Ethereum transaction hash "
            + "is an entity's what.identifier (system " + AuditEventMapping.TransactionSystem + "). No read by id.";
        return audit;
    }

    private static CapabilityStatement.ResourceComponent Consents()
    {
        var consent = Resource("Consent",
            [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType,
                CapabilityStatement.TypeRestfulInteraction.Create, CapabilityStatement.TypeRestfulInteraction.Update],
            ("patient", SearchParamType.Reference), ("status", SearchParamType.Token));
        consent.Documentation = "The patient's doctors (one Consent each; id {AID}-{PID}-{doctor's account without 0x}): proposed = asked, "
            + "active = granted (provision.period.end), inactive = expired or revoked, rejected = declined. The patient's token only; "
            + "writing needs " + FhirScopes.PatientConsentWrite + ": status active grants until provision.period.end, rejected declines, "
            + "inactive revokes, each a transaction on the contract. PUT Consent/{id} for a listed doctor; POST naming the doctor in "
            + "provision.actor[0].reference.identifier (system " + AuditEventMapping.AccountSystem + "). A doctor under an emergency "
            + "window is in AuditEvent, not here, until it ends.";
        consent.UpdateCreate = false;
        return consent;
    }

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
