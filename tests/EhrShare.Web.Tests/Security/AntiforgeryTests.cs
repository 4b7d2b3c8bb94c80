using System.Net;
using System.Reflection;
using EhrShare.Core.Users;
using EhrShare.Web.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Tests.Security;

/// <summary>
/// Every POST action of every controller, found by reflection (a new one is covered without editing this test), is
/// refused without the antiforgery token, by a user who may otherwise post it and holds the antiforgery cookie (the
/// cross-site request a browser would make for them).
/// </summary>
public sealed class AntiforgeryTests(PeopleFixture people) : IClassFixture<PeopleFixture>
{
    public static TheoryData<string, string, string> PostActions()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (controller, action, url, who) in Discover())
        {
            if (url == "/Patient/Upload")
            {
                continue; // checks the token itself, before reading the body: see the upload tests below
            }

            data.Add($"{controller}.{action}", url, who.ToString());
        }

        return data;
    }

    [Fact]
    public void TheControllersHavePostActions_AndEachIsCovered() =>
        Assert.True(Discover().Count() >= 16, string.Join(", ", Discover().Select(d => d.Controller + "." + d.Action)));

    [Theory]
    [MemberData(nameof(PostActions))]
    public async Task APostWithoutTheToken_IsRefused(string action, string url, string who)
    {
        var session = people.As(Enum.Parse<Who>(who));
        // A page with a form gives the session its antiforgery cookie, as a visit to the site would.
        using (await session.Client.GetAsync(who == nameof(Who.Anonymous) ? "/Account/Login" : "/Account/Pending"))
        {
        }

        using var response = await session.Client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = people.Patient.Email, ["Password"] = World.Password, ["Duration"] = "7", ["Unit"] = "Days", ["DoctorId"] = people.Doctor.Id,
            ["doctorId"] = people.Doctor.Id, ["Request.PatientAddress"] = people.Patient.Address!, ["NewArea.Name"] = "Forged area",
        }));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{action} ({url}) as {who}: {(int)response.StatusCode} {response.Headers.Location}");
    }

    [Fact]
    public async Task TheUploadWithoutTheToken_IsRefused_AndSaysToReload()
    {
        var before = await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id);
        using (var script = await people.As(Who.Patient).UploadAsync("Forged", "forged.txt", "text/plain", "x"u8.ToArray(), withToken: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, script.StatusCode);
            Assert.Contains("The page expired. Reload it and try again.", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A form posted without script (no JSON asked for) and without the token field: back to the page, which says why.
        var session = people.As(Who.Patient);
        using (var form = new MultipartFormDataContent { { new StringContent("Forged"), "Title" }, { new ByteArrayContent("x"u8.ToArray()), "File", "forged.txt" } })
        using (var noScript = await session.Client.PostAsync("/Patient/Upload", form))
        {
            Assert.Equal(HttpStatusCode.Redirect, noScript.StatusCode);
        }

        var page = await session.GetPageAsync("/Patient");
        Assert.Contains("The page expired", page.QuerySelector("[role=alert]")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(before, await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id));
    }

    /// <summary>POST actions with the URL a form posts to, and who may post it (so authorisation is not what refuses).</summary>
    private static IEnumerable<(string Controller, string Action, string Url, Who Who)> Discover()
    {
        var controllers = typeof(EhrShare.Web.Controllers.AccountController).Assembly.GetTypes()
            .Where(t => typeof(ControllerBase).IsAssignableFrom(t) && !t.IsAbstract);
        foreach (var type in controllers)
        {
            var name = type.Name[..^"Controller".Length];
            var authorize = type.GetCustomAttribute<AuthorizeAttribute>();
            var roles = authorize?.Roles;
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<HttpPostAttribute>() is not { } post)
                {
                    continue;
                }

                var actionName = method.GetCustomAttribute<ActionNameAttribute>()?.Name ?? method.Name;
                var url = post.Template is { } template
                    ? "/" + System.Text.RegularExpressions.Regex.Replace(template.TrimStart('/'), @"\{id(:guid)?\}", Guid.NewGuid().ToString())
                    : $"/{name}/{actionName}" + (method.GetParameters().Any(p => p.Name == "id") ? "/" + Guid.NewGuid() : "");
                var who = roles switch
                {
                    Roles.Admin => Who.Admin,
                    Roles.Doctor => Who.Doctor,
                    Roles.Patient => Who.Patient,
                    // Any signed-in user (a controller or an action with [Authorize] and no role): a patient.
                    _ => authorize is not null || method.GetCustomAttribute<AuthorizeAttribute>() is not null ? Who.Patient : Who.Anonymous,
                };
                yield return (name, actionName, url, who);
            }
        }
    }
}
