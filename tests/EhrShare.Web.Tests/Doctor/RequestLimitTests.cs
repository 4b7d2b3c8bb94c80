using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// Patients' addresses are sequential, so a doctor's requests are limited (issue 11, part 3): open requests at once and
/// requests in 24 hours, both app settings. A refused request says which limit and when it frees, and sends nothing.
/// The limits live in the use case: calling it directly is refused the same way.
/// </summary>
public sealed class RequestLimitTests : IAsyncDisposable
{
    private readonly EhrAppFactory _app = new(new Dictionary<string, string?>
    {
        ["AccessRequests:MaxOpenRequests"] = "2",
        ["AccessRequests:MaxRequestsPerDay"] = "3",
    });

    [Fact]
    public async Task TheOpenAndDailyLimits_RefuseFurtherRequests_WithAClearMessage_AndSendNothing()
    {
        var patients = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            patients.Add(await World.ApprovedPatientAsync(_app));
        }

        var doctor = await World.ApprovedDoctorAsync(_app);
        using var d = WebSession.For(_app);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patients[0].Address!);
        await DoctorAccessTests.RequestAsync(d, patients[1].Address!);

        var open = await RefusedAsync(d, patients[2].Address!);
        Assert.Contains("2 requests waiting for patients' answers", open, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", open, StringComparison.Ordinal);
        Assert.Equal(LedgerPermissionStatus.None, (await PermissionAsync(patients[2], doctor)).Status);

        // Asking a patient who is already waiting again is not a new open request (the day still counts it).
        Assert.Equal(patients[0].Address, (await RequestThroughTheUseCaseAsync(doctor, patients[0].Address!)).ToString());

        // The patient's answer frees an open place; the day's limit (3) is then what refuses.
        using (var p = WebSession.For(_app))
        {
            await p.SignInAsync(patients[0].Email, World.Password);
            using var deny = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Deny");
            Assert.Equal(HttpStatusCode.Redirect, deny.StatusCode);
        }

        var daily = await RefusedAsync(d, patients[2].Address!);
        Assert.Contains("3 requests in the last 24 hours", daily, StringComparison.Ordinal);
        Assert.Matches(@"after \d{4}-\d\d-\d\d \d\d:\d\d UTC", daily);
        Assert.Equal(LedgerPermissionStatus.None, (await PermissionAsync(patients[2], doctor)).Status);

        var direct = await Assert.ThrowsAsync<ValidationFailedException>(() => RequestThroughTheUseCaseAsync(doctor, patients[3].Address!));
        Assert.Contains("in the last 24 hours", direct.Message, StringComparison.Ordinal);
        using var scope = _app.Services.CreateScope();
        var rows = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctor.Id).ToListAsync();
        Assert.Equal(3, rows.Count); // the refused ones left nothing behind
    }

    [Fact]
    public void TheLimits_AreValidatedAtStart_NamingTheSetting()
    {
        using var app = new EhrAppFactory(new Dictionary<string, string?> { ["AccessRequests:MaxOpenRequests"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("AccessRequests:MaxOpenRequests", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> RefusedAsync(WebSession doctor, string address)
    {
        using var response = await doctor.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = address }, "RequestAccess");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await WebSession.ParseAsync(response)).QuerySelector("[data-valmsg-for='Request.PatientAddress']")!.TextContent;
    }

    private async Task<Core.Users.PatientAddress> RequestThroughTheUseCaseAsync(TestUser doctor, string address)
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RequestAccess>().ExecuteAsync(doctor.Id, address, CancellationToken.None);
    }

    private async Task<LedgerPermission> PermissionAsync(TestUser patient, TestUser doctor)
    {
        using var scope = _app.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<EhrDbContext>().ChainAccounts.AsNoTracking();
        var patientAccount = await accounts.Where(a => a.UserId == patient.Id).Select(a => a.Address).SingleAsync();
        var doctorAccount = await accounts.Where(a => a.UserId == doctor.Id).Select(a => a.Address).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetPermissionAsync(patientAccount, doctorAccount, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
