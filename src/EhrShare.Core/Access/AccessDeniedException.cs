using EhrShare.Core.Common;

namespace EhrShare.Core.Access;

/// <summary>The contract refused a doctor's read; the attempt is logged on the chain as a denial.</summary>
public sealed class AccessDeniedException(string reason) : ForbiddenException(reason);
