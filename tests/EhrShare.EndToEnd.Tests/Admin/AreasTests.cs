using System.Globalization;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.EhrE2EFixture;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Admin;

[Collection(E2ECollection.Name)]
public sealed class AreasTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task Admin_CreatesRenamesAndClosesAnArea_AndRegistrationOffersItOnlyWhileOpen() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.SignInAsAdminAsync();
        await page.ClickMenuLinkAsync("Areas");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Areas", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-areas");

        var name = UniqueName("North");
        await page.GetByLabel("Area name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add area" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Area '{name}' created with AID");
        var aid = (await page.CreatedAidAsync()).ToString(CultureInfo.InvariantCulture);
        var nameField = page.GetByLabel($"Name of area {aid}", new() { Exact = true });
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = nameField });
        await Expect(nameField).ToHaveValueAsync(name);
        await Expect(row.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("Open");
        await ScreenshotAsync(page, "admin-area-created");
        Assert.Contains(name, await AreasOfferedAtRegistrationAsync(page));

        var renamed = UniqueName("South");
        await nameField.FillAsync(renamed);
        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Area renamed.");
        await Expect(nameField).ToHaveValueAsync(renamed);
        await ScreenshotAsync(page, "admin-area-renamed");

        await row.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The area is closed to new registrations.");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("Closed");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Reopen" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-area-closed");
        Assert.DoesNotContain(renamed, await AreasOfferedAtRegistrationAsync(page));
    });

    [Theory]
    [InlineData("empty", "", "Enter an area name.")]
    [InlineData("too-short", "x", "Enter an area name of 2 to 100 characters.")]
    public Task Admin_AddingAnAreaWithABadName_SeesWhy(string caseName, string name, string message) => e2e.OnEachDeviceAsync(
        async page =>
        {
            await page.SignInAsAdminAsync();
            await page.GotoAsync("/Areas");

            await page.GetByLabel("Area name").FillAsync(name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add area" }).ClickAsync();

            await Expect(page.Locator("form").Filter(new() { Has = page.GetByLabel("Area name") })).ToContainTextAsync(message);
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
            await ScreenshotAsync(page, $"admin-area-{caseName}");
        },
        caseName);

    [Fact]
    public async Task Admin_CreatingAnAreaThatExists_IsToldSo() => await e2e.OnEachDeviceAsync(async page =>
    {
        var existing = await e2e.OpenAreaAsync();
        await page.SignInAsAdminAsync();
        await page.GotoAsync("/Areas");

        await page.GetByLabel("Area name").FillAsync(existing);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add area" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync($"There is already an area named '{existing}'.");
        await ScreenshotAsync(page, "admin-area-duplicate");
    });

    /// <summary>The areas the patient registration form offers to an anonymous visitor on the same device.</summary>
    private async Task<IReadOnlyList<string>> AreasOfferedAtRegistrationAsync(IPage adminPage)
    {
        var device = Screenshots.DeviceOf(adminPage);
        await using var context = await e2e.NewContextAsync(device);
        var page = await NewPageAsync(context, device);
        await page.GotoAsync("/Account/RegisterPatient");
        return await page.GetByLabel("Area", new() { Exact = true }).Locator("option").AllInnerTextsAsync();
    }
}
