using EhrShare.Testing;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>The app on the test stack, but with an IPFS dev node of its own, whose repository a test may damage.</summary>
public sealed class OwnIpfsAppFixture : IAsyncLifetime
{
    public IpfsDevNodeProcess Ipfs { get; private set; } = null!;

    public BlobTap Blobs { get; } = new();

    public VaultTap Vault { get; } = new();

    public EhrAppFactory App { get; private set; } = null!;

    /// <summary>The node's block files (blockstore-fs: one file per block).</summary>
    public IReadOnlySet<string> BlockFiles() =>
        Directory.EnumerateFiles(Path.Combine(Ipfs.RepoDir, "blocks"), "*", SearchOption.AllDirectories).ToHashSet();

    public async Task InitializeAsync()
    {
        Ipfs = await IpfsDevNodeProcess.StartAsync();
        App = new EhrAppFactory(new Dictionary<string, string?> { ["Ipfs:ApiUrl"] = Ipfs.ApiUrl }, services => services.AddTaps(Blobs, Vault));
        _ = App.Services;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Ipfs.DisposeAsync();
    }
}
