using System.Runtime.CompilerServices;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>
/// What the four OpenIddict stores share: the app database's set of their entity, creation, updates checked against
/// the row's concurrency token, and the query hooks OpenIddict's managers call. OpenIddict's own EF Core store needs
/// EF Core 10, which Pomelo 9 does not allow (docs/decisions/openiddict-with-own-stores.md).
/// </summary>
public abstract class EfStore<TEntity>(EhrDbContext db) where TEntity : class, new()
{
    protected EhrDbContext Db { get; } = db;

    protected DbSet<TEntity> Set => Db.Set<TEntity>();

    public async ValueTask<long> CountAsync(CancellationToken cancellationToken) => await Set.LongCountAsync(cancellationToken);

    public async ValueTask<long> CountAsync<TResult>(Func<IQueryable<TEntity>, IQueryable<TResult>> query, CancellationToken cancellationToken) =>
        await query(Set.AsNoTracking()).LongCountAsync(cancellationToken);

    public async ValueTask CreateAsync(TEntity entity, CancellationToken cancellationToken)
    {
        Set.Add(entity);
        await Db.SaveChangesAsync(cancellationToken);
    }

    public virtual async ValueTask DeleteAsync(TEntity entity, CancellationToken cancellationToken)
    {
        Set.Remove(entity);
        await SaveCheckedAsync(cancellationToken);
    }

    public async ValueTask UpdateAsync(TEntity entity, CancellationToken cancellationToken)
    {
        // The token read with the row is the one checked by the UPDATE; the new one marks this change.
        Set.Attach(entity);
        Db.Entry(entity).Property("ConcurrencyToken").CurrentValue = Guid.NewGuid().ToString();
        Db.Update(entity);
        await SaveCheckedAsync(cancellationToken);
    }

    public async ValueTask<TResult?> GetAsync<TState, TResult>(
        Func<IQueryable<TEntity>, TState, IQueryable<TResult>> query, TState? state, CancellationToken cancellationToken) =>
        await query(Set.AsTracking(), state!).FirstOrDefaultAsync(cancellationToken);

    public ValueTask<TEntity> InstantiateAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new TEntity());

    public async IAsyncEnumerable<TEntity> ListAsync(int? count, int? offset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IQueryable<TEntity> query = Set.AsTracking().OrderBy(e => EF.Property<string>(e, "Id"));
        if (offset.HasValue)
        {
            query = query.Skip(offset.Value);
        }

        if (count.HasValue)
        {
            query = query.Take(count.Value);
        }

        await foreach (var entity in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return entity;
        }
    }

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(
        Func<IQueryable<TEntity>, TState, IQueryable<TResult>> query, TState? state, CancellationToken cancellationToken) =>
        query(Set.AsTracking(), state!).AsAsyncEnumerable();

    protected async Task SaveCheckedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException e)
        {
            foreach (var entry in e.Entries)
            {
                entry.State = EntityState.Detached;
            }

            throw new OpenIddictExceptions.ConcurrencyException(
                "The entry was changed or removed by another request since it was read; read it again.", e);
        }
    }

    protected static async IAsyncEnumerable<TEntity> StreamAsync(IQueryable<TEntity> query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return entity;
        }
    }
}
