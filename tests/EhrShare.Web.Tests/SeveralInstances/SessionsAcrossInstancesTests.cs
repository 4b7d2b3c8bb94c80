using System.Net;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// The instances share the Data Protection key ring (in the app database) and the sessions (checked against the app
/// database on every request): a cookie or an antiforgery token one instance issued is good on the other, and a
/// session ended on one is ended on both.
/// </summary>
[Collection(SeveralInstancesCollection.Name)]
public sealed class SessionsAcrossInstancesTests(TwoInstancesFixture deployment)
{
    [Fact]
    public async Task TheInstances_StartedTogetherOnAnEmptyKeyRing_ShareOneKey()
    {
        await using var db = deployment.NewDbContext();

        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    [Fact]
    public async Task ASignInOnA_IsASignInOnB()
    {
        var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: deployment.B, approveOn: deployment.A);
        using var browser = new Browser();

        await browser.On(deployment.A).SignInAsync(patient.Email, World.Password);

        var page = await browser.On(deployment.B).GetPageAsync("/Patient");
        Assert.Equal(patient.Address, page.QuerySelector("#patient-address")?.TextContent.Trim());
    }

    [Fact]
    public async Task AFormRenderedByA_PostsToB()
    {
        var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: deployment.A, approveOn: deployment.B);
        var doctor = await Steps.ApprovedDoctorAsync(deployment, registerOn: deployment.A, approveOn: deployment.B);
        using var d = await Steps.SignedInAsync(deployment.B, doctor.Email);

        // The page, its antiforgery token and cookie come from A; the post goes to B.
        using var response = await Steps.PostFormElsewhereAsync(d.On(deployment.A), "/Doctor", "RequestAccess",
            new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address! }, d.On(deployment.B));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var dashboard = await d.On(deployment.A).GetPageAsync("/Doctor");
        Assert.NotNull(dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}']"));
        // A token from A that was tampered with is refused by B, as by A.
        using var forged = await Steps.PostFormElsewhereAsync(d.On(deployment.A), "/Doctor", "RequestAccess",
            new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address!, ["__RequestVerificationToken"] = "CfDJ8forged" }, d.On(deployment.B));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task ASignOutOnA_EndsTheSessionOnB()
    {
        var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: deployment.B, approveOn: deployment.A);
        using var browser = await Steps.SignedInAsync(deployment.A, patient.Email);
        var cookie = browser.AuthCookie(deployment.A);
        Assert.NotEmpty(cookie);
        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(deployment.B, cookie));

        using (var signOut = await browser.On(deployment.A).SubmitAsync("/Patient", new Dictionary<string, string>(), "Logout"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        }

        // The browser dropped its cookie; a copy kept from before is refused by B too: the session ended on the server.
        Assert.Empty(browser.AuthCookie(deployment.A));
        Assert.Equal(HttpStatusCode.Redirect, await StatusWithCookieAsync(deployment.B, cookie));
    }

    /// <summary>GET /Patient on <paramref name="instance"/> with nothing but <paramref name="cookie"/>, as someone who copied it.</summary>
    private static async Task<HttpStatusCode> StatusWithCookieAsync(Testing.EhrAppProcess instance, string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = instance.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Patient");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Equal("/Account/Login", response.Headers.Location?.OriginalString.Split('?')[0].Replace(instance.BaseAddress.GetLeftPart(UriPartial.Authority), "", StringComparison.Ordinal));
        }

        return response.StatusCode;
    }
}
