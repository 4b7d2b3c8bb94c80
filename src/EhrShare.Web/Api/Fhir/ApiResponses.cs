using EhrShare.Web.Controllers;
using EhrShare.Web.Hosting;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace EhrShare.Web.Api.Fhir;

/// <summary>
/// Machine clients get machine answers: no HTML status pages on the FHIR API, the token endpoints or discovery, and a
/// FHIR API request refused before any action ran (no token, an expired or revoked one: 401 from the token check) gets
/// an OperationOutcome saying so.
/// </summary>
public static class ApiResponses
{
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/" + FhirController.BasePath)
        || path.StartsWithSegments(OAuthModule.TokenPath)
        || path.StartsWithSegments(OAuthModule.RevokePath)
        || path.StartsWithSegments("/.well-known");

    public static IApplicationBuilder UseApiResponses(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsApiPath(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        await next(context);
        if (context.Request.Path.StartsWithSegments("/" + FhirController.BasePath)
            && context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
            && !context.Response.HasStarted && context.Response.ContentType is null)
        {
            var unauthorized = context.Response.StatusCode == StatusCodes.Status401Unauthorized;
            var outcome = FhirResult.Outcome(context.Response.StatusCode,
                unauthorized ? OperationOutcome.IssueType.Login : OperationOutcome.IssueType.Forbidden,
                unauthorized
                    ? "A valid access token is required (Authorization: Bearer …); this one is missing, expired or revoked."
                    : "This token may not do this.");
            await outcome.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
    });
}
