using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>The patient's and the doctor's steps on records and access, as a user takes them.</summary>
public static partial class Pages
{
    /// <summary>Fills the upload form on the patient's page (a file chosen as a user would, from bytes).</summary>
    public static async Task FillUploadAsync(this IPage page, string title, string? fileName, string type, byte[]? content)
    {
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
        if (fileName is not null)
        {
            await page.GetByLabel(FileLabel()).SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = type, Buffer = content! });
        }
    }

    public static ILocator UploadButton(this IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true });

    /// <summary>Uploads through the form and waits until the record is listed.</summary>
    public static async Task UploadAsync(this IPage page, string title, string fileName, string type, byte[] content)
    {
        await page.GotoAsync("/Patient");
        await page.FillUploadAsync(title, fileName, type, content);
        await page.UploadButton().ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "is uploaded" })).ToContainTextAsync($"\u201c{title}\u201d is uploaded");
        await Expect(page.RecordRow(title)).ToBeVisibleAsync();
    }

    public static ILocator RecordRow(this IPage page, string title) =>
        page.Locator("#records tbody tr").Filter(new() { HasText = title });

    /// <summary>The form that asks a patient for access (the emergency form has a field of the same name, and rows of
    /// patients whose access ended have an "Ask again" form of their own).</summary>
    public static ILocator RequestForm(this IPage page) => page.Locator("form#request-access");

    public static ILocator EmergencyForm(this IPage page) => page.Locator("form[action$='/Emergency']");

    public static async Task AskForAccessAsync(this IPage doctor, string address)
    {
        await doctor.GotoAsync("/Doctor");
        await doctor.RequestForm().GetByLabel("Patient address (AID-PID)").FillAsync(address);
        await doctor.RequestForm().GetByRole(AriaRole.Button, new() { Name = "Ask" }).ClickAsync();
    }

    /// <summary>The patient's card for a doctor on the Access page (a request, an active grant or an earlier one).</summary>
    public static ILocator DoctorCard(this IPage patient, string doctorName) =>
        patient.Locator($"[data-doctor='{doctorName}']");

    public static Task GrantAsync(this IPage patient, string doctorName, int days) => patient.GrantAsync(doctorName, days, "days");

    /// <summary>Approves the doctor's request for <paramref name="amount"/> hours or days (<paramref name="unit"/>, as the list shows it).</summary>
    public static async Task GrantAsync(this IPage patient, string doctorName, int amount, string unit, string? screenshot = null)
    {
        await patient.GotoAsync("/Patient/Access");
        var card = patient.DoctorCard(doctorName);
        await card.FillGrantLengthAsync("Access for", amount, unit);
        if (screenshot is not null)
        {
            await Screenshots.ScreenshotAsync(patient, screenshot);
        }

        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status)).ToContainTextAsync($"Dr {doctorName} may read your records until");
    }

    /// <summary>Extends the doctor's grant in force by <paramref name="amount"/> hours or days from the Access page.</summary>
    public static async Task ExtendAsync(this IPage patient, string doctorName, int amount, string unit)
    {
        await patient.GotoAsync("/Patient/Access");
        var card = patient.DoctorCard(doctorName);
        await card.FillGrantLengthAsync("Extend by", amount, unit);
        await card.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status)).ToContainTextAsync($"Dr {doctorName} may now read your records until");
    }

    /// <summary>The length fields of a grant form: the number labelled <paramref name="label"/> and its unit list.</summary>
    public static async Task FillGrantLengthAsync(this ILocator card, string label, int amount, string unit)
    {
        await card.GetByLabel(label, new() { Exact = true }).FillAsync(amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await card.GetByLabel($"{label}: unit").SelectOptionAsync(new SelectOptionValue { Label = unit });
    }

    public static async Task RevokeAsync(this IPage patient, string doctorName)
    {
        await patient.GotoAsync("/Patient/Access");
        await patient.DoctorCard(doctorName).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await patient.ConfirmAsync($"Revoke Dr {doctorName}'s access?", "Revoke access", "recorded on the blockchain");
        await Expect(patient.GetByRole(AriaRole.Status)).ToContainTextAsync($"Dr {doctorName} can no longer read your records.");
    }

    /// <summary>
    /// On a confirmation page: checks its question and that it says <paramref name="consequence"/> (what will happen),
    /// then clicks <paramref name="button"/>.
    /// </summary>
    public static async Task ConfirmAsync(this IPage page, string question, string button, string consequence)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(question);
        await Expect(page.Locator("#consequences")).ToContainTextAsync(consequence);
        await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
    }

    /// <summary>Fills the emergency form on "My patients", declares, and confirms on the page that says what will happen.</summary>
    public static async Task DeclareEmergencyAsync(this IPage doctor, string address, string reason, string? screenshot = null)
    {
        var form = doctor.EmergencyForm();
        await form.GetByLabel("Patient address (AID-PID)").FillAsync(address);
        await form.GetByLabel("Reason").FillAsync(reason);
        if (screenshot is not null)
        {
            await Screenshots.ScreenshotAsync(doctor, screenshot);
        }

        await form.GetByRole(AriaRole.Button, new() { Name = "Declare an emergency" }).ClickAsync();
        await doctor.ConfirmAsync($"Declare an emergency on the records of {address}?", "Declare the emergency", reason);
    }

    /// <summary>The doctor's row for a patient on "My patients".</summary>
    public static ILocator PatientRow(this IPage doctor, string address) =>
        doctor.Locator($"#patients tr[data-patient-address='{address}']");

    /// <summary>Reloads until <paramref name="condition"/> holds: for what the server learns in the background (the
    /// chain's view of a suspension, cached for a few seconds). The bound is generous: on a busy machine the access log
    /// can take a minute to reach the chain; the loop ends at the first reload that shows it.</summary>
    public static async Task ReloadUntilAsync(this IPage page, Func<Task<bool>> condition, string what, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Not within {seconds} s: {what} (at {page.Url})");
            }

            await Task.Delay(750);
            await page.ReloadAsync();
        }
    }

    [GeneratedRegex(@"^File")]
    private static partial Regex FileLabel();
}
