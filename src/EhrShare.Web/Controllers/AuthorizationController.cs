using System.Security.Claims;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Api;
using EhrShare.Web.Hosting;
using EhrShare.Web.Models;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Web.Controllers;

/// <summary>
/// The OAuth 2 endpoints OpenIddict passes through: the authorization endpoint (the app's own sign-in, two-factor step
/// included, then a consent page naming the app and the scopes) and the token endpoint (code and refresh token
/// exchanges re-read the user; client credentials are a patient's gateway device). OpenIddict checks the requests
/// (client, redirect URI, PKCE, codes, refresh tokens) before these actions run.
/// </summary>
public sealed class AuthorizationController(
    UserManager<ApplicationUser> users,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    GatewayDevices devices) : Controller
{
    public const string PatientParameter = "patient";
    public const string PatientClaim = "ehrshare_patient";
    public const string DeviceClaim = "ehrshare_device";

    [HttpGet(OAuthModule.AuthorizePath)]
    [HttpPost(OAuthModule.AuthorizePath)]
    public async Task<IActionResult> Authorize(string? decision)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict request is missing.");

        var signedIn = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!signedIn.Succeeded)
        {
            // The app's own sign-in (with its two-factor step), then back here with the same request.
            var parameters = Request.HasFormContentType
                ? Request.Form.Where(p => p.Key is not "decision" and not "__RequestVerificationToken").ToList()
                : Request.Query.ToList();
            return Challenge(new AuthenticationProperties { RedirectUri = Request.PathBase + Request.Path + QueryString.Create(parameters) },
                IdentityConstants.ApplicationScheme);
        }

        var user = await users.GetUserAsync(signedIn.Principal);
        var isPatient = user is not null && await users.IsInRoleAsync(user, Roles.Patient);
        var isDoctor = user is not null && await users.IsInRoleAsync(user, Roles.Doctor);
        if (user is null || user.Status != UserStatus.Approved || !(isPatient || isDoctor))
        {
            return Refuse(Errors.AccessDenied, "Only approved patients and doctors can connect an app to EhrShare.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("OpenIddict let through an unknown client.");
        var requested = request.GetScopes();
        var granted = ScopeCatalog.GrantableTo(requested, user, isPatient);
        var withheld = requested.Except(granted, StringComparer.Ordinal).ToList();

        if (!HttpMethods.IsPost(Request.Method) || decision is null)
        {
            var name = await applications.GetLocalizedDisplayNameAsync(application) ?? request.ClientId!;
            AllowFormRedirectTo(request.RedirectUri!);
            var parameters = Request.HasFormContentType ? Request.Form.ToList() : Request.Query.ToList();
            return View("Consent", new ConsentModel(name, user.DisplayName, granted, withheld,
                parameters.Where(p => p.Key is not "decision" and not "__RequestVerificationToken")
                    .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))).ToList()));
        }

        if (decision != "allow" || granted.Count == 0)
        {
            return Refuse(Errors.AccessDenied, granted.Count == 0 ? "None of the requested scopes can be given by this user." : "The user declined.");
        }

        var identity = await IdentityForAsync(user, isPatient);
        identity.SetScopes(granted);
        var authorization = await authorizations.CreateAsync(
            identity, user.Id, (await applications.GetIdAsync(application))!, AuthorizationTypes.Permanent, [.. granted]);
        identity.SetAuthorizationId(await authorizations.GetIdAsync(authorization));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    [HttpPost(OAuthModule.TokenPath)]
    [IgnoreAntiforgeryToken]
    [Produces("application/json")]
    [ApiExplorerSettings(IgnoreApi = false)] // In the OpenAPI description (Api/OpenApiModule.cs).
    public async Task<IActionResult> Token()
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict request is missing.");

        if (request.IsClientCredentialsGrantType())
        {
            var device = await devices.FindActiveAsync(request.ClientId!, HttpContext.RequestAborted);
            if (device is null)
            {
                return Refuse(Errors.InvalidClient, "This client is not a registered device.");
            }

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, "device/" + device.Id)
                .SetClaim(Claims.Name, device.Name)
                .SetClaim(DeviceClaim, device.Id.ToString())
                .SetClaim(PatientClaim, device.PatientUserId);
            identity.SetScopes(FhirScopes.PatientObservationCreate);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            await devices.MarkUsedAsync(device, HttpContext.RequestAborted);
            return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var userId = result.Principal?.GetClaim(Claims.Subject);
            var user = userId is null ? null : await users.FindByIdAsync(userId);
            if (user is null || user.Status != UserStatus.Approved)
            {
                return Refuse(Errors.InvalidGrant, "The user is no longer allowed to use EhrShare.");
            }

            var isPatient = await users.IsInRoleAsync(user, Roles.Patient);
            var identity = await IdentityForAsync(user, isPatient);
            identity.SetScopes(result.Principal!.GetScopes());
            identity.SetAuthorizationId(result.Principal!.GetAuthorizationId());
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            var properties = new AuthenticationProperties();
            if (isPatient && identity.HasScope(FhirScopes.LaunchPatient))
            {
                // SMART's launch context: the Patient resource the token is about.
                properties.SetParameter(PatientParameter, user.Id);
            }

            return SignIn(new ClaimsPrincipal(identity), properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    /// <summary>
    /// The consent form posts here and is answered with a redirect to the client's redirect URI (already checked by
    /// OpenIddict against the registered ones); browsers apply the page's <c>form-action</c> to that redirect too.
    /// </summary>
    private void AllowFormRedirectTo(string redirectUri)
    {
        var uri = new Uri(redirectUri);
        var source = uri.Scheme is "http" or "https" ? uri.GetLeftPart(UriPartial.Authority) : uri.Scheme + ":";
        Response.Headers.ContentSecurityPolicy =
            SecurityHeaders.ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {source}", StringComparison.Ordinal);
    }

    private async Task<ClaimsIdentity> IdentityForAsync(ApplicationUser user, bool isPatient)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        if (isPatient)
        {
            identity.SetClaim(PatientClaim, user.Id);
        }

        return identity;
    }

    private ForbidResult Refuse(string error, string description) =>
        Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
