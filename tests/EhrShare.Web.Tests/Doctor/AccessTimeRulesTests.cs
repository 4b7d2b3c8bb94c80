using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Notifications;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// The access rules that depend on the app's clock, each on both sides of its boundary: the use case is made with a
/// <see cref="FakeTimeProvider"/> (and, where a limit is small enough to reach, its own options) on the real database
/// and chain, so the test moves time instead of waiting for it. The contract's own clock (block time) does not enter
/// these rules: the chain only stores what the use case decided to send.
/// </summary>
public sealed class AccessTimeRulesTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task AGrant_MustEndMoreThanAMinuteFromNow_AndAtMostAYear()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        var clock = ClockNow();
        var now = clock.GetUtcNow();

        var tooSoon = await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, now.AddMinutes(1), CancellationToken.None)));
        Assert.Equal("Choose an expiry in the future.", tooSoon.Message);
        var tooFar = await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, now + GrantAccess.MaxGrant + Second, CancellationToken.None)));
        Assert.Equal("A grant can last at most a year; you can renew it later.", tooFar.Message);
        Assert.Equal(LedgerPermissionStatus.None, (await Chain.PermissionAsync(App, patient.Id, doctor.Id)).Status);

        var soonest = now.AddMinutes(1) + Second;
        await UseCase(clock, s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, soonest, CancellationToken.None));
        var granted = await Chain.PermissionAsync(App, patient.Id, doctor.Id);
        Assert.Equal(LedgerPermissionStatus.Granted, granted.Status);
        Assert.Equal(soonest.ToUnixTimeSeconds(), granted.ExpiresAt!.Value.ToUnixTimeSeconds());

        var latest = now + GrantAccess.MaxGrant;
        await UseCase(clock, s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, latest, CancellationToken.None));
        Assert.Equal(latest.ToUnixTimeSeconds(), (await Chain.PermissionAsync(App, patient.Id, doctor.Id)).ExpiresAt!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task AfterADenial_TheDoctorMayAskAgain_OnlyOnceTheCooldownHasPassed()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        var clock = ClockNow();
        var cooldown = new AccessRequestOptions().DeniedRequestCooldown;
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patient.Address!, CancellationToken.None));
        await UseCase(clock, s => s.Refuse.DenyAsync(patient.Id, doctor.Id, CancellationToken.None));
        var deniedAt = clock.GetUtcNow();

        clock.Advance(cooldown - Second);
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patient.Address!, CancellationToken.None)));
        Assert.Equal(
            $"The patient at {patient.Address} declined your request on {deniedAt:yyyy-MM-dd HH:mm} UTC; you can ask them again after {deniedAt + cooldown:yyyy-MM-dd HH:mm} UTC. Nothing was sent.",
            refused.Message);
        Assert.Equal(LedgerPermissionStatus.Denied, (await Chain.PermissionAsync(App, patient.Id, doctor.Id)).Status);
        var entry = Assert.Single(await UseCase(clock, s => s.Doctor.PatientsAsync(doctor.Id, CancellationToken.None)));
        Assert.Equal(deniedAt + cooldown, entry.AskAgainAfter);

        clock.Advance(2 * Second);
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patient.Address!, CancellationToken.None));
        Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(App, patient.Id, doctor.Id)).Status);
    }

    [Fact]
    public async Task RequestsInAnyDay_AreLimited_TheOldestFreesAPlaceADayAfterItWasSent()
    {
        var doctor = await World.ApprovedDoctorAsync(App);
        var patients = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            patients.Add(await World.ApprovedPatientAsync(App));
        }

        var clock = ClockNow();
        var limits = new AccessRequestOptions { MaxRequestsPerDay = 2, MaxOpenRequests = 10 };
        var first = clock.GetUtcNow();
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patients[0].Address!, CancellationToken.None), limits);
        clock.Advance(TimeSpan.FromHours(1));
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patients[1].Address!, CancellationToken.None), limits);

        clock.SetUtcNow(first.AddDays(1) - Second);
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patients[2].Address!, CancellationToken.None), limits));
        Assert.Equal(
            $"You have sent 2 requests in the last 24 hours, the most allowed; nothing was sent. You can ask again after {first.AddDays(1):yyyy-MM-dd HH:mm} UTC.",
            refused.Message);
        Assert.Equal(LedgerPermissionStatus.None, (await Chain.PermissionAsync(App, patients[2].Id, doctor.Id)).Status);
        Assert.Equal(2, await RequestRowsAsync(doctor.Id)); // the refused one took no place

        clock.SetUtcNow(first.AddDays(1) + Second);
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patients[2].Address!, CancellationToken.None), limits);
        Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(App, patients[2].Id, doctor.Id)).Status);
        await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, patients[3].Address!, CancellationToken.None), limits));
    }

    [Fact]
    public async Task AnUnansweredRequest_StopsCountingAsOpen_AfterItsLifetime()
    {
        var doctor = await World.ApprovedDoctorAsync(App);
        var first = await World.ApprovedPatientAsync(App);
        var second = await World.ApprovedPatientAsync(App);
        var clock = ClockNow();
        var limits = new AccessRequestOptions { MaxOpenRequests = 1, OpenRequestLifetime = TimeSpan.FromHours(1) };
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, first.Address!, CancellationToken.None), limits);

        clock.Advance(limits.OpenRequestLifetime - Second);
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, second.Address!, CancellationToken.None), limits));
        Assert.Equal("You have 1 requests waiting for patients' answers, the most allowed; nothing was sent. You can ask again once a patient answers one of them.", refused.Message);
        Assert.Equal(LedgerPermissionStatus.None, (await Chain.PermissionAsync(App, second.Id, doctor.Id)).Status);

        clock.Advance(2 * Second);
        await UseCase(clock, s => s.Request.ExecuteAsync(doctor.Id, second.Address!, CancellationToken.None), limits);
        Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(App, second.Id, doctor.Id)).Status);
    }

    [Fact]
    public async Task AnUnreviewedEmergency_IsOverdue_OnceTheReviewPeriodHasPassed()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        var clock = ClockNow();
        await UseCase(clock, s => s.Emergency.ExecuteAsync(doctor.Id, patient.Address!, "Unconscious on arrival, allergies unknown", CancellationToken.None));
        var declared = await EmergencyIdAsync(doctor.Id);
        var period = new EmergencyOptions().ReviewOverdueAfter;

        clock.Advance(period - Second);
        Assert.DoesNotContain(declared, await OverdueIdsAsync(clock));

        clock.Advance(Second);
        Assert.Contains(declared, await OverdueIdsAsync(clock));
    }

    [Fact]
    public async Task ADoctorIsToldOfAGrantEndingSoon_OnceItEndsWithinTheNoticePeriod_AndNotAfterItEnded()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        // An expiry no other test's grant shares, with a short notice period: the check runs on the shared database and
        // must tell only this test's doctor.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(123).AddHours(7).AddMinutes(Random.Shared.Next(600)).ToUnixTimeSeconds());
        var notice = new NotificationOptions { ExpiringWithin = TimeSpan.FromHours(1) };
        await UseCase(ClockNow(), s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, expires, CancellationToken.None));
        await Eventually.WaitForAsync(() => GrantIndexedAsync(doctor.Id, expires), indexed => indexed, "the grant in the chain index");

        var clock = new FakeTimeProvider(expires - notice.ExpiringWithin - Second);
        await CheckExpiriesAsync(clock, notice);
        Assert.Empty(await ExpiryNoticesAsync(doctor.Id));

        clock.SetUtcNow(expires - notice.ExpiringWithin);
        await CheckExpiriesAsync(clock, notice);
        var told = Assert.Single(await ExpiryNoticesAsync(doctor.Id));
        Assert.Equal($"Your access to the records of the patient at {patient.Address} ends on {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Ask the patient to renew it if you still need it.", told.Text);

        await CheckExpiriesAsync(clock, notice); // once per grant
        Assert.Single(await ExpiryNoticesAsync(doctor.Id));
    }

    [Fact]
    public async Task AGrantThatHasEnded_IsNotToldAsEndingSoon()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(151).AddHours(3).AddMinutes(Random.Shared.Next(600)).ToUnixTimeSeconds());
        var notice = new NotificationOptions { ExpiringWithin = TimeSpan.FromHours(1) };
        await UseCase(ClockNow(), s => s.Grant.ExecuteAsync(patient.Id, doctor.Id, expires, CancellationToken.None));
        await Eventually.WaitForAsync(() => GrantIndexedAsync(doctor.Id, expires), indexed => indexed, "the grant in the chain index");

        await CheckExpiriesAsync(new FakeTimeProvider(expires), notice);

        Assert.Empty(await ExpiryNoticesAsync(doctor.Id));
    }

    /// <summary>
    /// A clock at the real time now (the chain, which keeps real time, must take what the use case sends), in whole
    /// seconds so that times read back from the database (microseconds) compare exactly.
    /// </summary>
    private static FakeTimeProvider ClockNow() => new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>Runs <paramref name="act"/> on the access use cases of their own scope (as a request would), on
    /// <paramref name="clock"/> and, if given, with <paramref name="limits"/> instead of the app's request limits.</summary>
    private async Task<T> UseCase<T>(TimeProvider clock, Func<AccessUseCases, Task<T>> act, AccessRequestOptions? limits = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var options = limits is null ? scope.ServiceProvider.GetRequiredService<IOptions<AccessRequestOptions>>() : Options.Create(limits);
        TCase Make<TCase>(params object[] given) => ActivatorUtilities.CreateInstance<TCase>(scope.ServiceProvider, given);
        return await act(new AccessUseCases(
            Make<RequestAccess>(clock, options), Make<GrantAccess>(clock), Make<RefuseAccess>(clock), Make<DeclareEmergency>(clock), Make<DoctorAccessList>(clock, options)));
    }

    private sealed record AccessUseCases(RequestAccess Request, GrantAccess Grant, RefuseAccess Refuse, DeclareEmergency Emergency, DoctorAccessList Doctor);

    private async Task<int> RequestRowsAsync(string doctorUserId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().AccessRequests.CountAsync(r => r.DoctorUserId == doctorUserId);
    }

    private async Task<long> EmergencyIdAsync(string doctorUserId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Emergencies.Where(e => e.DoctorUserId == doctorUserId).Select(e => e.Id).SingleAsync();
    }

    private async Task<List<long>> OverdueIdsAsync(TimeProvider clock)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var review = ActivatorUtilities.CreateInstance<EmergencyReview>(scope.ServiceProvider, clock);
        return [.. (await review.OverdueAsync(CancellationToken.None)).Select(e => e.Id)];
    }

    private async Task<bool> GrantIndexedAsync(string doctorUserId, DateTimeOffset expires)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        var account = await db.ChainAccounts.Where(a => a.UserId == doctorUserId).Select(a => a.Address).SingleAsync();
        return await db.ChainEvents.AnyAsync(e => e.Name == "PermissionGranted" && e.Doctor == account && e.ExpiresAt == expires);
    }

    private async Task CheckExpiriesAsync(TimeProvider clock, NotificationOptions notice)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<GrantExpiryCheck>(scope.ServiceProvider, clock, Options.Create(notice)).RunAsync(CancellationToken.None);
    }

    private async Task<List<Notification>> ExpiryNoticesAsync(string doctorUserId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Notifications.AsNoTracking()
            .Where(n => n.UserId == doctorUserId && n.Kind == NotificationKind.GrantExpiringSoon).ToListAsync();
    }
}
