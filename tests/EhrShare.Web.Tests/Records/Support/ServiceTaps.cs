using System.Collections.Concurrent;
using EhrShare.Core.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>Test-only service changes, applied through <see cref="EhrAppFactory"/>'s ConfigureTestServices hook.</summary>
public static class ServiceTaps
{
    /// <summary>Wraps what the app registered for <typeparamref name="TService"/> (same lifetime) in <paramref name="wrap"/>.</summary>
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<IServiceProvider, TService, TService> wrap)
        where TService : class
    {
        var found = false;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(TService) || descriptor.IsKeyedService)
            {
                continue;
            }

            found = true;
            services[i] = ServiceDescriptor.Describe(typeof(TService), sp => wrap(sp, (TService)Create(sp, descriptor)), descriptor.Lifetime);
        }

        return found ? services : throw new InvalidOperationException($"The app registers no {typeof(TService).Name} to decorate.");
    }

    /// <summary>Records what reaches IPFS and the share nodes, and lets a test alter the ciphertext IPFS serves.</summary>
    public static IServiceCollection AddTaps(this IServiceCollection services, BlobTap blobs, VaultTap vault)
    {
        services.AddSingleton(blobs);
        services.AddSingleton(vault);
        services.Decorate<IRecordBlobStore>((_, inner) => new TappedBlobStore(inner, blobs));
        services.Decorate<IShareVault>((_, inner) => new TappedVault(inner, vault));
        return services;
    }

    /// <summary>Takes out the periodic reconciler, so that a test decides when <see cref="ReconcileRecords"/> runs.</summary>
    public static IServiceCollection WithoutBackgroundReconciler(this IServiceCollection services)
    {
        var reconciler = services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "RecordReconcilerService").ToList();
        Assert.Single(reconciler);
        services.Remove(reconciler[0]);
        return services;
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}

/// <summary>What the app added to IPFS (in order), and per-CID changes to what IPFS serves back (tampering).</summary>
public sealed class BlobTap
{
    private readonly ConcurrentQueue<string> _added = new();
    private readonly ConcurrentDictionary<string, Func<byte[], byte[]>> _changes = new();

    public IReadOnlyList<string> Added => [.. _added];

    /// <summary>The CIDs added after the first <paramref name="count"/> (take <see cref="Added"/>.Count before acting).</summary>
    public IReadOnlyList<string> AddedSince(int count) => [.. _added.Skip(count)];

    /// <summary>From now on, reading <paramref name="cid"/> returns <paramref name="change"/> applied to the real ciphertext.</summary>
    public void Alter(string cid, Func<byte[], byte[]> change) => _changes[cid] = change;

    internal void OnAdded(string cid) => _added.Enqueue(cid);

    internal Func<byte[], byte[]>? ChangeFor(string cid) => _changes.GetValueOrDefault(cid);
}

/// <summary>The record ids the app gave the share vault, and a hook run right after a store succeeded.</summary>
public sealed class VaultTap
{
    private readonly ConcurrentQueue<Guid> _seen = new();

    /// <summary>Every record id stored or destroyed, in order (a rolled-back upload shows up here even without a row).</summary>
    public IReadOnlyList<Guid> Seen => [.. _seen.Distinct()];

    /// <summary>Runs after the shares of a record were stored, before the upload goes on (e.g. to stop the chain there).</summary>
    public Func<Guid, Task>? AfterStore { get; set; }

    private readonly ConcurrentQueue<byte[]> _rebuilt = new();

    /// <summary>The block arrays the vault handed out, in order: the caller must wipe them once done (they hold the key).</summary>
    public IReadOnlyList<byte[]> Rebuilt => [.. _rebuilt];

    internal void OnSeen(Guid recordId) => _seen.Enqueue(recordId);

    internal void OnRebuilt(byte[] block) => _rebuilt.Enqueue(block);
}

internal sealed class TappedBlobStore(IRecordBlobStore inner, BlobTap tap) : IRecordBlobStore
{
    public async Task<string> AddAsync(Stream ciphertext, CancellationToken cancellationToken)
    {
        var cid = await inner.AddAsync(ciphertext, cancellationToken);
        tap.OnAdded(cid);
        return cid;
    }

    public async Task<Stream> OpenReadAsync(string cid, CancellationToken cancellationToken)
    {
        var stream = await inner.OpenReadAsync(cid, cancellationToken);
        if (tap.ChangeFor(cid) is not { } change)
        {
            return stream;
        }

        await using (stream)
        {
            using var real = new MemoryStream();
            await stream.CopyToAsync(real, cancellationToken);
            return new MemoryStream(change(real.ToArray()), writable: false);
        }
    }

    public Task RemoveAsync(string cid, CancellationToken cancellationToken) => inner.RemoveAsync(cid, cancellationToken);
}

internal sealed class TappedVault(IShareVault inner, VaultTap tap) : IShareVault
{
    public async Task StoreAsync(Guid recordId, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        tap.OnSeen(recordId);
        await inner.StoreAsync(recordId, block, cancellationToken);
        if (tap.AfterStore is { } hook)
        {
            await hook(recordId);
        }
    }

    public async Task<byte[]> RebuildAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken)
    {
        var block = await inner.RebuildAsync(recordId, expectedBlockHash, cancellationToken);
        tap.OnRebuilt(block);
        return block;
    }

    public Task DestroyAsync(Guid recordId, CancellationToken cancellationToken)
    {
        tap.OnSeen(recordId);
        return inner.DestroyAsync(recordId, cancellationToken);
    }
}
