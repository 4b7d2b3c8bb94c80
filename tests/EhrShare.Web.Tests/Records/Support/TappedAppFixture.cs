namespace EhrShare.Web.Tests.Records.Support;

/// <summary>
/// The app on the test stack, with IPFS and the share vault tapped (see <see cref="ServiceTaps.AddTaps"/>): a test
/// can tell which CID and which record ids an operation produced, and alter the ciphertext IPFS serves.
/// </summary>
public class TappedAppFixture : IAsyncDisposable
{
    public TappedAppFixture()
        : this(null)
    {
    }

    protected TappedAppFixture(IReadOnlyDictionary<string, string?>? settings)
    {
        App = new EhrAppFactory(settings, services => services.AddTaps(Blobs, Vault));
    }

    public BlobTap Blobs { get; } = new();

    public VaultTap Vault { get; } = new();

    public EhrAppFactory App { get; }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return App.DisposeAsync();
    }
}
