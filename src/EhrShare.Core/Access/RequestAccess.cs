using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Access;

/// <summary>
/// A doctor asks for access by the patient's address, typed as AID-PID: a request on the contract from the doctor's own
/// account. Returns the address only: the doctor learns the patient's name once granted.
/// </summary>
public sealed class RequestAccess(
    IEhrDbContext db,
    RecordParties parties,
    PatientLookup patients,
    IAccessLedger ledger,
    TimeProvider clock,
    IOptions<AccessRequestOptions> requestOptions,
    AccessNotices notices)
{
    /// <summary>
    /// Refused, with nothing sent, when the patient blocked the doctor (worded without the patient's identity), while
    /// the cool-down after a declined request runs, or when the doctor reached a request limit (<see cref="AccessRequestOptions"/>).
    /// </summary>
    public async Task<PatientAddress> ExecuteAsync(string doctorUserId, string patientAddress, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await patients.ByAddressAsync(patientAddress, cancellationToken);
        if (await db.DoctorBlocks.AsNoTracking().AnyAsync(b => b.PatientUserId == patient.UserId && b.DoctorUserId == doctor.User.Id, cancellationToken))
        {
            throw new ForbiddenException($"The patient at {patient.Address} does not accept requests from you; nothing was sent. If you are treating this patient, ask them in person.");
        }

        await EnforceCooldownAsync(doctor.User.Id, patient, cancellationToken);

        // The request takes its place before the limits are counted, so two requests at once cannot both pass the last
        // free place (both may be refused; neither is sent). It is removed if refused or if the chain does not take it.
        var now = clock.GetUtcNow();
        var request = new AccessRequest { DoctorUserId = doctor.User.Id, PatientUserId = patient.UserId, RequestedAt = now };
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            await EnforceRequestLimitsAsync(doctor.User.Id, now, cancellationToken);
            await ledger.RequestAccessAsync(doctor.Account, patient.Account, cancellationToken);
        }
        catch
        {
            db.AccessRequests.Remove(request);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        await notices.RequestedAsync(patient, doctor);
        return patient.Address;
    }

    /// <summary>A patient who declined the doctor's request is not asked again before the cool-down ends.</summary>
    private async Task EnforceCooldownAsync(string doctorUserId, PatientSummary patient, CancellationToken cancellationToken)
    {
        var cooldown = requestOptions.Value.DeniedRequestCooldown;
        if (cooldown <= TimeSpan.Zero)
        {
            return;
        }

        var since = clock.GetUtcNow() - cooldown;
        var deniedAt = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.PatientUserId == patient.UserId && r.Answer == AccessRequestAnswer.Denied && r.AnsweredAt > since)
            .MaxAsync(r => r.AnsweredAt, cancellationToken);
        if (deniedAt is { } at)
        {
            throw new ValidationFailedException(
                $"The patient at {patient.Address} declined your request on {at:yyyy-MM-dd HH:mm} UTC; you can ask them again after {at + cooldown:yyyy-MM-dd HH:mm} UTC. Nothing was sent.",
                "PatientAddress");
        }
    }

    private async Task EnforceRequestLimitsAsync(string doctorUserId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limits = requestOptions.Value;
        var dayAgo = now.AddDays(-1);
        var today = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.RequestedAt > dayAgo)
            .Select(r => r.RequestedAt).ToListAsync(cancellationToken);
        if (today.Count > limits.MaxRequestsPerDay)
        {
            var nextFree = today.OrderBy(t => t).ElementAt(today.Count - 1 - limits.MaxRequestsPerDay).AddDays(1);
            throw new ValidationFailedException(
                $"You have sent {limits.MaxRequestsPerDay} requests in the last 24 hours, the most allowed; nothing was sent. You can ask again after {nextFree:yyyy-MM-dd HH:mm} UTC.",
                "PatientAddress");
        }

        // Open: waiting for an answer and not older than the lifetime; asking the same patient again is one open request.
        var openSince = now - limits.OpenRequestLifetime;
        var open = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.AnsweredAt == null && r.RequestedAt > openSince)
            .Select(r => r.PatientUserId).Distinct().CountAsync(cancellationToken);
        if (open > limits.MaxOpenRequests)
        {
            throw new ValidationFailedException(
                $"You have {limits.MaxOpenRequests} requests waiting for patients' answers, the most allowed; nothing was sent. You can ask again once a patient answers one of them.",
                "PatientAddress");
        }
    }
}
