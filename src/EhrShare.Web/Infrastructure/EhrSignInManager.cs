using System.Security.Claims;
using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Identity's sign-in with a server-side session behind every auth cookie: each sign-in opens a session (its id in
/// the cookie), sign-out ends it, so a copy of the cookie is worthless afterwards (<see cref="UserSessions"/>).
/// </summary>
public sealed class EhrSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    UserSessions sessions)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task SignInWithClaimsAsync(
        ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var sessionId = await sessions.StartAsync(user, Context.RequestAborted);
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims.Append(new Claim(UserSessions.ClaimType, sessionId)));
    }

    /// <summary>A new cookie (and session) for the signed-in user, e.g. after their security stamp changed; the old session ends.</summary>
    public override async Task RefreshSignInAsync(ApplicationUser user)
    {
        var previous = CurrentSession();
        await base.RefreshSignInAsync(user);
        if (previous is { } old && old.UserId == user.Id)
        {
            await sessions.EndAsync(old.UserId, old.SessionId, CancellationToken.None);
        }
    }

    public override async Task SignOutAsync()
    {
        if (CurrentSession() is { } current)
        {
            await sessions.EndAsync(current.UserId, current.SessionId, CancellationToken.None);
        }

        await base.SignOutAsync();
    }

    private (string UserId, string SessionId)? CurrentSession()
    {
        var principal = Context.User;
        return principal.FindFirstValue(Options.ClaimsIdentity.UserIdClaimType) is { } userId
               && principal.FindFirstValue(UserSessions.ClaimType) is { } sessionId
            ? (userId, sessionId)
            : null;
    }
}
