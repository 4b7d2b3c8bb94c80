using System.Net;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Authorization;

/// <summary>
/// Every page against every kind of user: anonymous visitors sign in first, pending and rejected accounts see only
/// the pending page, and each role reaches only its own pages (the others answer with the access-denied page).
/// </summary>
public sealed class RolePageTests(PeopleFixture people) : IClassFixture<PeopleFixture>
{
    private const string NoRecord = "/Records/0193a4b2-7c3d-7e8f-9a0b-1c2d3e4f5a6b";

    private static readonly string[] PatientPages =
        ["/Patient", "/Patient/Access", "/Patient/History", "/Patient" + NoRecord + "/View", "/Patient" + NoRecord + "/Download", "/Patient" + NoRecord + "/Remove"];

    private static readonly string[] DoctorPages =
        ["/Doctor", "/Doctor/Patients/no-such-patient", "/Doctor" + NoRecord + "/View", "/Doctor" + NoRecord + "/Download"];

    private static readonly string[] AdminPages = ["/Approvals", "/Users", "/Reports", "/Areas", "/Monitor", "/Monitor/Snapshot"];

    /// <summary>(who, page, outcome): outcome is a status code, or where the redirect goes.</summary>
    public static TheoryData<Who, string, string> Matrix()
    {
        var data = new TheoryData<Who, string, string>();
        foreach (var page in PatientPages.Concat(DoctorPages).Concat(AdminPages).Append("/Dashboard").Append("/Account/Pending"))
        {
            data.Add(Who.Anonymous, page, "login");
        }

        foreach (var who in new[] { Who.PendingPatient, Who.RejectedPatient })
        {
            Add(data, who, PatientPages, "pending");
            Add(data, who, DoctorPages, "denied");
            Add(data, who, AdminPages, "denied");
            data.Add(who, "/Dashboard", "pending");
            data.Add(who, "/Account/Pending", "200");
        }

        Add(data, Who.PendingDoctor, DoctorPages, "pending");
        Add(data, Who.PendingDoctor, PatientPages, "denied");
        Add(data, Who.PendingDoctor, AdminPages, "denied");
        data.Add(Who.PendingDoctor, "/Dashboard", "pending");
        data.Add(Who.PendingDoctor, "/Account/Pending", "200");

        Add(data, Who.Patient, PatientPages.Take(3), "200");
        Add(data, Who.Patient, PatientPages.Skip(3), "404");
        Add(data, Who.Patient, DoctorPages, "denied");
        Add(data, Who.Patient, AdminPages, "denied");
        data.Add(Who.Patient, "/Dashboard", "/Patient");
        data.Add(Who.Patient, "/Account/Pending", "/Dashboard");

        data.Add(Who.Doctor, "/Doctor", "200");
        Add(data, Who.Doctor, DoctorPages.Skip(1), "404");
        Add(data, Who.Doctor, PatientPages, "denied");
        Add(data, Who.Doctor, AdminPages, "denied");
        data.Add(Who.Doctor, "/Dashboard", "/Doctor");

        Add(data, Who.Admin, AdminPages, "200");
        Add(data, Who.Admin, PatientPages, "denied");
        Add(data, Who.Admin, DoctorPages, "denied");
        data.Add(Who.Admin, "/Dashboard", "/Approvals");
        // Every approved user's own notifications; a pending or rejected account sees only the pending page.
        foreach (var page in new[] { "/Notifications", "/Notifications/Settings" })
        {
            data.Add(Who.Anonymous, page, "login");
            data.Add(Who.PendingPatient, page, "pending");
            data.Add(Who.RejectedPatient, page, "pending");
            data.Add(Who.PendingDoctor, page, "pending");
            data.Add(Who.Patient, page, "200");
            data.Add(Who.Doctor, page, "200");
            data.Add(Who.Admin, page, "200");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Page_AnswersEachKindOfUser_AsItsRoleAndStandingAllow(Who who, string page, string outcome)
    {
        using var response = await people.As(who).Client.GetAsync(page);

        var location = response.Headers.Location?.OriginalString ?? "";
        var got = $"{(int)response.StatusCode} {location}";
        switch (outcome)
        {
            case "login":
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/Login?ReturnUrl=", StringComparison.Ordinal), got);
                Assert.Contains(Uri.EscapeDataString(page), location, StringComparison.OrdinalIgnoreCase);
                break;
            case "pending":
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.EndsWith("/Account/Pending", StringComparison.Ordinal), got);
                break;
            case "denied":
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/AccessDenied", StringComparison.Ordinal), got);
                break;
            case "200":
                Assert.True(response.StatusCode == HttpStatusCode.OK, got);
                break;
            case "404":
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, got);
                break;
            default:
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location == outcome, got);
                break;
        }
    }

    [Theory]
    [InlineData(Who.Patient)]
    [InlineData(Who.Doctor)]
    [InlineData(Who.PendingPatient)]
    public async Task TheAccessDeniedPage_Answers403_AndSaysWhy(Who who)
    {
        using var response = await people.As(who).Client.GetAsync("/Account/AccessDenied?ReturnUrl=%2FAreas");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await WebSession.ParseAsync(response);
        Assert.Equal("You do not have access to this page", page.QuerySelector("h1")?.TextContent.Trim());
    }

    [Theory]
    [InlineData(Who.PendingPatient, "waiting for the administrator")]
    [InlineData(Who.RejectedPatient, "was not approved")]
    [InlineData(Who.PendingDoctor, "waiting for the administrator")]
    public async Task APendingOrRejectedAccount_SeesItsStanding_AndNoRoleMenu(Who who, string text)
    {
        var page = await people.As(who).GetPageAsync("/Account/Pending");

        Assert.Contains(text, page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var menu = page.QuerySelector("nav")!.TextContent;
        foreach (var link in new[] { "My records", "My patients", "Approvals", "Monitor" })
        {
            Assert.DoesNotContain(link, menu, StringComparison.Ordinal);
        }
    }

    private static void Add(TheoryData<Who, string, string> data, Who who, IEnumerable<string> pages, string outcome)
    {
        foreach (var page in pages)
        {
            data.Add(who, page, outcome);
        }
    }
}
