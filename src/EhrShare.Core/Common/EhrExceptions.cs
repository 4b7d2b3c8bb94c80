namespace EhrShare.Core.Common;

/// <summary>
/// Base of the typed exceptions use cases throw for expected failures. Their messages are written for the user;
/// the web layer maps each kind to one status code in one place.
/// </summary>
public abstract class EhrException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Bad input: nothing was changed. <see cref="Field"/> names the form field, when there is one.</summary>
public sealed class ValidationFailedException(string message, string? field = null) : EhrException(message)
{
    public string? Field { get; } = field;
}

/// <summary>The thing asked for does not exist (or is not visible to the caller).</summary>
public sealed class NotFoundException(string message) : EhrException(message);

/// <summary>The caller may not do this; <see cref="Exception.Message"/> says why.</summary>
public class ForbiddenException(string message) : EhrException(message);

/// <summary>A service the operation needs (database, share nodes, IPFS, chain) did not answer; nothing was changed.</summary>
public sealed class DependencyUnavailableException(string dependency, string message, Exception? inner = null)
    : EhrException(message, inner)
{
    public string Dependency { get; } = dependency;
}
