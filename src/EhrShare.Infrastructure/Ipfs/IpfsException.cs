using System.Net;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// The IPFS node answered a call with an error: Kubo's <c>{"Message","Code","Type"}</c> (its message is in
/// <see cref="Exception.Message"/> unchanged), or an answer the client could not use.
/// </summary>
public sealed class IpfsException : Exception
{
    public IpfsException(string command, string message, int? kuboCode = null, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Command = command;
        KuboCode = kuboCode;
        StatusCode = statusCode;
    }

    /// <summary>The RPC command, e.g. <c>cat</c> or <c>pin/rm</c>.</summary>
    public string Command { get; }

    /// <summary>Kubo's error code (0 = error, 1 = client error), when the node sent one.</summary>
    public int? KuboCode { get; }

    /// <summary>The HTTP status of the answer, when there was one (Kubo uses 500, and 400 for a malformed call).</summary>
    public HttpStatusCode? StatusCode { get; }
}

/// <summary>Why the IPFS node could not be used.</summary>
public enum IpfsUnavailableReason
{
    /// <summary>No connection could be made (node stopped, wrong address, connect timeout).</summary>
    Unreachable,

    /// <summary>The connection broke during the call.</summary>
    ConnectionLost,

    /// <summary>The node did not answer, or stopped making progress, within the configured time.</summary>
    TimedOut,
}

/// <summary>The IPFS node could not be reached or did not answer in time; nothing it said is known.</summary>
public sealed class IpfsUnavailableException : Exception
{
    public IpfsUnavailableException(string command, IpfsUnavailableReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Command = command;
        Reason = reason;
    }

    public string Command { get; }

    public IpfsUnavailableReason Reason { get; }
}
