using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Web.Infrastructure;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>The one table from failures to statuses that the filter, the record stream and the upload all use.</summary>
public sealed class ErrorResponsesTests
{
    public static TheoryData<Exception, int> Failures => new()
    {
        { new ValidationFailedException("Title is required.", "Title"), 400 },
        { new AccessDeniedException("No permission."), 403 },
        { new EmergencyRefusedException("The limit is reached."), 403 },
        { new NotFoundException("No such record."), 404 },
        { new RecordIntegrityException(RecordIntegrityFailure.AuthenticationFailed, "tampered"), 502 },
        { new DependencyUnavailableException("ipfs", "IPFS is down."), 503 },
        { new RecordBlockUnavailableException("Too few good shares.", ["node-1", "node-2", "node-3"]), 500 },
        { new InvalidOperationException("a bug"), 500 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void StatusFor_GivesEachKindOfFailureItsStatus(Exception failure, int status) =>
        Assert.Equal(status, ErrorResponses.StatusFor(failure));
}
