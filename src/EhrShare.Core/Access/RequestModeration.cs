using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>A request a patient reported, as the EHR manager sees it.</summary>
public sealed record RequestReportEntry(
    long Id,
    DateTimeOffset ReportedAt,
    string PatientName,
    string PatientEmail,
    string DoctorName,
    string DoctorEmail,
    string DoctorLicence,
    string DoctorSpecialty,
    string? Comment);

/// <summary>
/// What a patient can do about unwanted requests: block the doctor (their pending request is declined on the chain,
/// and no further request from them reaches the patient), unblock, and report the request to the EHR manager, who
/// sees the reports in a list.
/// </summary>
public sealed class RequestModeration(IEhrDbContext db, RecordParties parties, IAccessLedger ledger, TimeProvider clock)
{
    public const int MaxCommentLength = 500;

    public async Task<DoctorSummary> BlockAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        if (await db.DoctorBlocks.AnyAsync(b => b.PatientUserId == patient.User.Id && b.DoctorUserId == doctor.UserId, cancellationToken))
        {
            throw new ValidationFailedException($"You already blocked Dr {doctor.Name}.");
        }

        // Only a doctor who asked (so the patient's access page lists them, and can unblock them). A request still
        // waiting is declined first (the patient's own transaction): if the chain refuses or is down, nothing is blocked.
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account, cancellationToken);
        if (permission.Status == LedgerPermissionStatus.None && permission.RequestedAt is null)
        {
            throw new ValidationFailedException($"Dr {doctor.Name} has not asked you for access; there is nothing to block.");
        }

        if (permission.Status == LedgerPermissionStatus.Requested)
        {
            await ledger.DenyAccessAsync(patient.Account, doctor.Account, cancellationToken);
        }

        var now = clock.GetUtcNow();
        db.DoctorBlocks.Add(new DoctorBlock { PatientUserId = patient.User.Id, DoctorUserId = doctor.UserId, BlockedAt = now });
        await db.SaveChangesAsync(CancellationToken.None);
        await db.CloseAsync(patient.User.Id, doctor.UserId, AccessRequestAnswer.Blocked, now);
        return doctor;
    }

    public async Task<DoctorSummary> UnblockAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        var removed = await db.DoctorBlocks
            .Where(b => b.PatientUserId == patient.User.Id && b.DoctorUserId == doctor.UserId)
            .ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? throw new ValidationFailedException($"Dr {doctor.Name} is not blocked.") : doctor;
    }

    /// <summary>Reports a doctor who asked the patient for access; once per doctor.</summary>
    public async Task<DoctorSummary> ReportAsync(string patientUserId, string doctorUserId, string? comment, CancellationToken cancellationToken)
    {
        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (text is { Length: > MaxCommentLength })
        {
            throw new ValidationFailedException($"Keep the note to the manager to {MaxCommentLength} characters.", "Comment");
        }

        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        if (await db.RequestReports.AnyAsync(r => r.PatientUserId == patient.User.Id && r.DoctorUserId == doctor.UserId, cancellationToken))
        {
            throw new ValidationFailedException($"You already reported Dr {doctor.Name}; the EHR manager has your report.");
        }

        // Only a doctor who asked this patient (the chain has a request or an answer to one) can be reported.
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account, cancellationToken);
        if (permission.Status == LedgerPermissionStatus.None && permission.RequestedAt is null)
        {
            throw new ValidationFailedException($"Dr {doctor.Name} has not asked you for access; there is no request to report.");
        }

        db.RequestReports.Add(new RequestReport { PatientUserId = patient.User.Id, DoctorUserId = doctor.UserId, Comment = text, ReportedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(CancellationToken.None);
        return doctor;
    }

    /// <summary>Every report, newest first, for the EHR manager.</summary>
    public async Task<IReadOnlyList<RequestReportEntry>> ReportsAsync(CancellationToken cancellationToken) =>
        await (
            from report in db.RequestReports.AsNoTracking()
            join patient in db.Users.AsNoTracking() on report.PatientUserId equals patient.Id
            join doctor in db.Users.AsNoTracking() on report.DoctorUserId equals doctor.Id
            join profile in db.Doctors.AsNoTracking() on doctor.Id equals profile.UserId
            orderby report.ReportedAt descending, report.Id descending
            select new RequestReportEntry(
                report.Id, report.ReportedAt, patient.DisplayName, patient.Email ?? "", doctor.DisplayName, doctor.Email ?? "",
                profile.LicenceNumber, profile.Specialty, report.Comment)).Take(500).ToListAsync(cancellationToken);
}
