using EhrShare.Core.Data;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.OAuth;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;
using static OpenIddict.Validation.OpenIddictValidationHandlers.Protection;

namespace EhrShare.Web.Api;

/// <summary>
/// The database side of an API request's bearer token, in one query (<see cref="OAuthTokenEntries"/>) where OpenIddict's
/// own handlers make three (a look-up of the token as a reference token, which always misses here, then its token
/// entry, restored and checked, then its authorization entry) and the FHIR API a fourth (the user still approved). It
/// stands in for <see cref="RestoreTokenEntryProperties"/>, <see cref="ValidateTokenEntry"/> and
/// <see cref="ValidateAuthorizationEntry"/> and does what they do: the entry's
/// dates, ids and type restored into the principal; refused unless the entry exists and is valid and, if it was issued
/// under an authorization, that authorization exists and is valid. Nothing is cached, so a revoked token gets 401 from
/// its next request on every instance. The subject's status is kept for the request (<see cref="BearerSubject"/>);
/// the API answers a user no longer approved with its own 403.
/// </summary>
public sealed class TokenEntryValidation(OAuthTokenEntries entries, BearerSubject subject) : IOpenIddictValidationHandler<ValidateTokenContext>
{
    /// <summary>Where <see cref="RestoreTokenEntryProperties"/> ran: before the principal, its expiry (from the entry)
    /// and its audience are checked.</summary>
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; }
        = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<TokenEntryValidation>()
            .SetOrder(RestoreTokenEntryProperties.Descriptor.Order)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    /// <summary>The handlers this one replaces, and <see cref="ValidateReferenceTokenIdentifier"/>: this server issues no
    /// reference access tokens (<c>UseReferenceAccessTokens</c> is off; every access token is a Data Protection payload),
    /// so looking each token up as one is a query that cannot find anything. Turning reference tokens on needs it back.</summary>
    public static IEnumerable<OpenIddictValidationHandlerDescriptor> Replaced =>
        [ValidateReferenceTokenIdentifier.Descriptor, RestoreTokenEntryProperties.Descriptor, ValidateTokenEntry.Descriptor, ValidateAuthorizationEntry.Descriptor];

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.Principal is null)
        {
            return;
        }

        // Every token this server issues has an entry (token storage is on), so one without an id is refused.
        var id = context.Principal.GetTokenId();
        var user = context.Principal.GetClaim(Claims.Subject);
        var entry = string.IsNullOrEmpty(id) ? null : await entries.FindAsync(id, user, context.CancellationToken);
        if (entry is null || entry.Status != Statuses.Valid || (entry.AuthorizationId is not null && entry.AuthorizationStatus != Statuses.Valid))
        {
            context.Logger.LogInformation("Refused a bearer token: its entry or its authorization is missing or no longer valid");
            context.Reject(Errors.InvalidToken, "The access token is no longer valid.");
            return;
        }

        context.Principal
            .SetCreationDate(entry.CreationDate)
            .SetExpirationDate(entry.ExpirationDate)
            .SetAuthorizationId(context.AuthorizationId = entry.AuthorizationId)
            .SetTokenId(context.TokenId = entry.Id)
            .SetTokenType(entry.Type);
        subject.Set(user, entry.SubjectStatus);
    }
}

/// <summary>The status of the user a request's bearer token names, as <see cref="TokenEntryValidation"/> read it with
/// the token's entry in the same query (one per request).</summary>
public sealed class BearerSubject(IEhrDbContext db)
{
    private string? _userId;
    private UserStatus? _status;

    public void Set(string? userId, UserStatus? status) => (_userId, _status) = (userId, status);

    /// <summary>Whether <paramref name="userId"/> is approved, if this request's token check read it; null if not.</summary>
    public bool? IsApproved(string userId) => _userId == userId && _userId is not null ? _status == UserStatus.Approved : null;

    /// <summary>Whether <paramref name="userId"/> is approved now: as the token check read it, or asked only if it did not.</summary>
    public async Task<bool> IsApprovedAsync(string userId, CancellationToken cancellationToken) =>
        IsApproved(userId) ?? await db.Users.AnyAsync(u => u.Id == userId && u.Status == UserStatus.Approved, cancellationToken);
}
