using EhrShare.Core.Accounts;

namespace EhrShare.Web.Infrastructure;

/// <summary>Marks what a user who must still set up two-factor sign-in may open: the set-up itself, sign-out, error pages.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class AllowWithoutTwoFactorAttribute : Attribute;

/// <summary>
/// A signed-in user for whom <see cref="TwoFactorPolicy"/> requires two-factor sign-in and who has not set it up is
/// sent to the set-up page from every endpoint not marked <see cref="AllowWithoutTwoFactorAttribute"/>: one check for
/// the whole app (pages, forms, /health), not one per controller. The user comes from the request's session check,
/// so this costs no query.
/// </summary>
public static class TwoFactorRequirement
{
    public const string SetUpPath = "/Account/TwoFactor";

    public static IApplicationBuilder UseTwoFactorRequirement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true
            && context.GetEndpoint()?.Metadata.GetMetadata<AllowWithoutTwoFactorAttribute>() is null
            && await context.RequestServices.GetRequiredService<CurrentUser>().GetAsync() is { TwoFactorEnabled: false } user
            && context.RequestServices.GetRequiredService<TwoFactorPolicy>().IsRequired(user.Status, context.User.IsInRole))
        {
            context.Response.Redirect(context.Request.PathBase + SetUpPath);
            return;
        }

        await next(context);
    });
}
