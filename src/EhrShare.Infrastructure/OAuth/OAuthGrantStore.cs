using System.Collections.Immutable;
using System.Text.Json;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>
/// What the authorization and token stores share, on the members of <see cref="IOAuthGrant"/>: finding by client,
/// subject and status, revoking in one UPDATE, and the common properties OpenIddict's managers read and set.
/// </summary>
public abstract class OAuthGrantStore<TEntity>(EhrDbContext db) : EfStore<TEntity>(db) where TEntity : class, IOAuthGrant, new()
{
    public IAsyncEnumerable<TEntity> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(e => e.ApplicationId == identifier), cancellationToken);

    public async ValueTask<TEntity?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(e => e.Id == identifier, cancellationToken);

    public IAsyncEnumerable<TEntity> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(e => e.Subject == subject), cancellationToken);

    public ValueTask<string?> GetApplicationIdAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.ApplicationId);

    public ValueTask<DateTimeOffset?> GetCreationDateAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.CreationDate);

    public ValueTask<string?> GetIdAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.Id);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(TEntity entry, CancellationToken cancellationToken) =>
        new(StoreJson.Properties(entry.Properties));

    public ValueTask<string?> GetStatusAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.Status);

    public ValueTask<string?> GetSubjectAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.Subject);

    public ValueTask<string?> GetTypeAsync(TEntity entry, CancellationToken cancellationToken) => new(entry.Type);

    public async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        await RevokeAsync(Filter(subject, client, status, type), cancellationToken);

    public async ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(e => e.ApplicationId == identifier), cancellationToken);

    public async ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(e => e.Subject == subject), cancellationToken);

    public ValueTask SetApplicationIdAsync(TEntity entry, string? identifier, CancellationToken cancellationToken)
    {
        entry.ApplicationId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetCreationDateAsync(TEntity entry, DateTimeOffset? date, CancellationToken cancellationToken)
    {
        entry.CreationDate = date;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPropertiesAsync(TEntity entry, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken)
    {
        entry.Properties = StoreJson.Properties(properties);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetStatusAsync(TEntity entry, string? status, CancellationToken cancellationToken)
    {
        entry.Status = status;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetSubjectAsync(TEntity entry, string? subject, CancellationToken cancellationToken)
    {
        entry.Subject = subject;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetTypeAsync(TEntity entry, string? type, CancellationToken cancellationToken)
    {
        entry.Type = type;
        return ValueTask.CompletedTask;
    }

    protected IQueryable<TEntity> Filter(string? subject, string? client, string? status, string? type)
    {
        IQueryable<TEntity> query = Set;
        if (subject is not null)
        {
            query = query.Where(e => e.Subject == subject);
        }

        if (client is not null)
        {
            query = query.Where(e => e.ApplicationId == client);
        }

        if (status is not null)
        {
            query = query.Where(e => e.Status == status);
        }

        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }

        return query;
    }

    /// <summary>Marks the entries revoked in one statement; each gets a new concurrency token, as an update would.</summary>
    protected static async Task<long> RevokeAsync(IQueryable<TEntity> query, CancellationToken cancellationToken) =>
        // By name: the setters of ExecuteUpdate take the entity's own properties, not the interface's.
        await query.ExecuteUpdateAsync(e => e
            .SetProperty(x => EF.Property<string?>(x, nameof(IOAuthGrant.Status)), Statuses.Revoked)
            .SetProperty(x => EF.Property<string>(x, nameof(IOAuthGrant.ConcurrencyToken)), Guid.NewGuid().ToString()), cancellationToken);
}
