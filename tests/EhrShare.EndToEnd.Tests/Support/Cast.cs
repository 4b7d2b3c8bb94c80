using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>A user of a scenario, signed in on a page of their own (their own browser context: their own cookies).</summary>
public sealed record Person(string Name, string Email, IPage Page)
{
    /// <summary>The patient address the admin's approval gave (AID-PID); null for a doctor.</summary>
    public string? Address { get; set; }
}

/// <summary>
/// The other people of a scenario, each in a context of their own on the scenario's device, registered through the
/// forms and approved by the admin on the Approvals page, as in real use. Disposing closes their contexts.
/// </summary>
public sealed partial class Cast(EhrE2EFixture e2e, Device device) : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<IPage> _pages = [];

    public static Cast For(EhrE2EFixture e2e, IPage page) => new(e2e, Screenshots.DeviceOf(page));

    public static string UniquePersonName(string first) => $"{first} {Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The time zone of the cast's browsers (an IANA name); null: UTC, like the scenario's own page.</summary>
    public string? TimezoneId { get; init; }

    /// <summary>Whether the cast's browsers run the app's service worker (blocked by default: see <see cref="EhrE2EFixture.NewContextAsync"/>).</summary>
    public bool ServiceWorkers { get; init; }

    public async Task<IPage> NewPageAsync()
    {
        var context = await e2e.NewContextAsync(device, TimezoneId, ServiceWorkers);
        _contexts.Add(context);
        var page = await EhrE2EFixture.NewPageAsync(context, device);
        _pages.Add(page);
        return page;
    }

    /// <summary>Registers a patient through the form (they land on the pending page) and has the admin approve them.</summary>
    public async Task<Person> ApprovedPatientAsync(IPage admin, string area, string first = "Alice")
    {
        var page = await NewPageAsync();
        var person = new Person(UniquePersonName(first), EhrE2EFixture.UniqueEmail("patient"), page);
        await page.GotoAsync("/Account/RegisterPatient");
        await page.FillPatientFormAsync(person.Email, area);
        await page.GetByLabel("Full name").FillAsync(person.Name);
        await page.SubmitRegistrationAsync();
        await Expect(page).ToHaveURLAsync(Pages.PendingPage());
        person.Address = await admin.ApproveAsync(person);
        return person;
    }

    public async Task<Person> ApprovedDoctorAsync(IPage admin, string first = "Bob")
    {
        var page = await NewPageAsync();
        var person = new Person(UniquePersonName(first), EhrE2EFixture.UniqueEmail("doctor"), page);
        await page.GotoAsync("/Account/RegisterDoctor");
        await page.FillDoctorFormAsync(person.Email);
        await page.GetByLabel("Full name").FillAsync(person.Name);
        await page.SubmitRegistrationAsync();
        await Expect(page).ToHaveURLAsync(Pages.PendingPage());
        await admin.ApproveAsync(person);
        return person;
    }

    /// <summary>Script errors, CSP violations and failed assets on the cast's pages fail the scenario, as on its own page.</summary>
    public void AssertNoBrowserProblems()
    {
        var problems = _pages.SelectMany(p => PageDiagnostics.Of(p).Problems).ToList();
        Assert.True(problems.Count == 0, "The browser reported problems on a cast page:\n  " + string.Join("\n  ", problems));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }
}

public static partial class Pages
{
    /// <summary>The admin approves <paramref name="person"/> on the Approvals page; returns the patient address the
    /// success message gives (null for a doctor).</summary>
    public static async Task<string?> ApproveAsync(this IPage admin, Person person)
    {
        await admin.GotoAsync("/Approvals");
        var card = admin.Locator($"[data-user-email='{person.Email}']");
        await Expect(card).ToContainTextAsync(person.Name);
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        var status = admin.GetByRole(AriaRole.Status);
        await Expect(status).ToContainTextAsync($"Approved {person.Name}");
        var match = ApprovedAddressPattern().Match(await status.InnerTextAsync());
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"patient address (\d+-\d+)")]
    private static partial Regex ApprovedAddressPattern();
}
