using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Admin;

public sealed class AreasTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Admin_CreatesAnArea_AndItIsOfferedAtPatientRegistration()
    {
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var name = "North " + Guid.NewGuid().ToString("N")[..6];

        using var created = await admin.SubmitAsync("/Areas", new Dictionary<string, string> { ["NewArea.Name"] = name }, "Create");

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var areas = await admin.GetPageAsync("/Areas");
        Assert.Contains(name, areas.Body!.InnerHtml, StringComparison.Ordinal);
        using var anonymous = WebSession.For(fixture.App);
        var register = await anonymous.GetPageAsync("/Account/RegisterPatient");
        Assert.Contains(register.QuerySelectorAll("select#AreaId option"), o => o.TextContent == name);
    }

    [Theory]
    [InlineData("", "Enter an area name")]
    [InlineData("x", "2 to 100")]
    public async Task Admin_CreatingAnAreaWithABadName_SeesWhyAndNothingIsAdded(string name, string message)
    {
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        using var response = await admin.SubmitAsync("/Areas", new Dictionary<string, string> { ["NewArea.Name"] = name }, "Create");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, (await WebSession.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        Assert.False(await db.Areas.AnyAsync(a => a.Name == name.Trim()));
    }

    [Fact]
    public async Task Admin_CreatingADuplicateArea_IsRefused()
    {
        var area = await fixture.CreateAreaAsync();
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var response = await admin.SubmitAsync("/Areas", new Dictionary<string, string> { ["NewArea.Name"] = area.Name }, "Create");

        Assert.Contains("already an area", (await WebSession.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClosedArea_IsNotOfferedAtRegistration()
    {
        var area = await fixture.CreateAreaAsync();
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var closed = await admin.PostAsync($"/Areas/SetOpen/{area.Id}?open=false", new Dictionary<string, string>(), "/Areas");

        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        using var anonymous = WebSession.For(fixture.App);
        var register = await anonymous.GetPageAsync("/Account/RegisterPatient");
        Assert.DoesNotContain(register.QuerySelectorAll("select#AreaId option"), o => o.TextContent == area.Name);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_ForTheAreasPage()
    {
        using var anonymous = WebSession.For(fixture.App);
        using var response = await anonymous.Client.GetAsync("/Areas");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location?.AbsolutePath, StringComparison.Ordinal);
    }
}
