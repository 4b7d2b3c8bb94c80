namespace EhrShare.Sharing;

/// <summary>
/// Base of the errors about share data: a stored share that cannot be read (<see cref="ShareFormatException"/>) or
/// a set of shares that cannot be used together (<see cref="ShareReconstructionException"/>). Wrong arguments of
/// the caller's own making (k &gt; n, an empty secret, x = 0, a short buffer) are <see cref="ArgumentException"/>s.
/// </summary>
public abstract class SharingException : Exception
{
    protected SharingException(string message)
        : base(message)
    {
    }
}
