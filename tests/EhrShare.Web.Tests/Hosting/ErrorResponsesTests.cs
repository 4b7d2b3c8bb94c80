using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Web.Infrastructure;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>The one table from failures to answers that the filter, the FHIR API, the record stream and the upload all use.</summary>
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
    public void For_GivesEachKindOfFailureItsStatus(Exception failure, int status) =>
        Assert.Equal(status, ErrorResponses.For(failure).Status);

    [Fact]
    public void For_ShowsAUseCaseMessageButNeverAnotherExceptionsOwn()
    {
        Assert.Equal("No such record.", ErrorResponses.For(new NotFoundException("No such record.")).Message);
        Assert.Equal("Too few good shares.", ErrorResponses.For(new RecordBlockUnavailableException("Too few good shares.", ["node-1"])).Message);
        Assert.Equal(ErrorResponses.RecordIntegrityMessage,
            ErrorResponses.For(new RecordIntegrityException(RecordIntegrityFailure.AuthenticationFailed, "segment 3 tag")).Message);
        Assert.Null(ErrorResponses.For(new InvalidOperationException("connection string Server=db;Password=x")).Message);
    }

    [Fact]
    public void For_GivesTheFhirApiAnIssueTypePerKind()
    {
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.Invalid, ErrorResponses.For(new ValidationFailedException("Bad.")).IssueType);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.Forbidden, ErrorResponses.For(new AccessDeniedException("No.")).IssueType);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.NotFound, ErrorResponses.For(new NotFoundException("Gone.")).IssueType);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.Transient, ErrorResponses.For(new DependencyUnavailableException("chain", "Down.")).IssueType);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.Exception, ErrorResponses.For(new RecordBlockUnavailableException("Lost.", [])).IssueType);
    }
}
