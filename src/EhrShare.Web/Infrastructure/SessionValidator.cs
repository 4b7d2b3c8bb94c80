using System.Security.Claims;
using EhrShare.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Replaces Identity's periodic security-stamp check: on every request, the auth cookie's session must still be open
/// and its security stamp current, or the request is treated as anonymous and the cookie deleted. One indexed query,
/// whose user the rest of the request reuses (docs/decisions/sessions-checked-on-every-request.md).
/// </summary>
public sealed class SessionValidator(UserSessions sessions, IOptions<IdentityOptions> identity, ILogger<SessionValidator> logger)
    : ISecurityStampValidator
{
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var claims = identity.Value.ClaimsIdentity;
        var userId = principal?.FindFirstValue(claims.UserIdClaimType);
        var sessionId = principal?.FindFirstValue(UserSessions.ClaimType);
        if (userId is not null && sessionId is not null &&
            await sessions.FindActiveAsync(userId, principal!.FindFirstValue(claims.SecurityStampClaimType), sessionId, context.HttpContext.RequestAborted) is not null)
        {
            return;
        }

        logger.LogInformation("Refused the auth cookie of user {UserId}: its session has ended", userId);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
