using System.Net;
using EhrShare.Core.Access;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>A user of the two-instance deployment: email, and once approved the patient address and chain account.</summary>
public sealed record Member(string Email, string? Address, string Account);

/// <summary>
/// What users do, over HTTP only, each step on the instance the test names: the admin's areas and approvals,
/// registration, signing in, forms rendered by one instance and posted to another, and what then reached the chain.
/// </summary>
public static class Steps
{
    /// <summary>Generous: the outbox confirms within a second or two on an idle machine.</summary>
    public static readonly TimeSpan ChainWait = TimeSpan.FromSeconds(120);

    public static async Task<Browser> SignedInAsync(EhrAppProcess on, string email, string password = World.Password)
    {
        var browser = new Browser();
        await browser.On(on).SignInAsync(email, password);
        return browser;
    }

    /// <summary>The deployment's admin signed in on <paramref name="on"/>, with the code of its authenticator (set up at its first sign-in).</summary>
    public static async Task<Browser> AdminAsync(TwoInstancesFixture deployment, EhrAppProcess on)
    {
        var browser = new Browser();
        var session = browser.On(on);
        var key = await deployment.AdminAuthenticatorKeyAsync(
            () => session.FirstSignInSettingUpTwoFactorAsync(TwoInstancesFixture.AdminEmail, TwoInstancesFixture.AdminPassword));
        await session.SignInWithCodeAsync(TwoInstancesFixture.AdminEmail, TwoInstancesFixture.AdminPassword, key);
        return browser;
    }

    /// <summary>A patient registered on <paramref name="registerOn"/> and approved by the admin on <paramref name="approveOn"/>.</summary>
    public static async Task<Member> ApprovedPatientAsync(TwoInstancesFixture deployment, EhrAppProcess registerOn, EhrAppProcess approveOn)
    {
        using var admin = await AdminAsync(deployment, approveOn);
        var area = "Area " + Guid.NewGuid().ToString("N")[..8];
        using (var created = await admin.On(approveOn).SubmitAsync("/Areas", new Dictionary<string, string> { ["NewArea.Name"] = area }, "Create"))
        {
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }

        var email = $"patient-{Guid.NewGuid():N}@example.test";
        using var registrant = new Browser();
        var form = await registrant.On(registerOn).GetPageAsync("/Account/RegisterPatient");
        var areaId = form.QuerySelectorAll("select[name=AreaId] option").Single(o => o.TextContent.Trim() == area).GetAttribute("value")!;
        await RegisterAsync(registrant.On(registerOn), "/Account/RegisterPatient", new Dictionary<string, string>
        {
            ["FullName"] = "Pat " + email[8..14],
            ["Email"] = email,
            ["Password"] = World.Password,
            ["ConfirmPassword"] = World.Password,
            ["AreaId"] = areaId,
            ["DateOfBirth"] = "1980-05-17",
        });
        await ApproveAsync(admin.On(approveOn), email);
        using var patient = await SignedInAsync(registerOn, email);
        var address = (await patient.On(registerOn).GetPageAsync("/Patient")).QuerySelector("#patient-address")!.TextContent.Trim();
        return new Member(email, address, await AccountOfAsync(deployment, email));
    }

    /// <summary>A doctor registered on <paramref name="registerOn"/> and approved by the admin on <paramref name="approveOn"/>.</summary>
    public static async Task<Member> ApprovedDoctorAsync(TwoInstancesFixture deployment, EhrAppProcess registerOn, EhrAppProcess approveOn)
    {
        var email = $"doctor-{Guid.NewGuid():N}@example.test";
        using (var registrant = new Browser())
        {
            await RegisterAsync(registrant.On(registerOn), "/Account/RegisterDoctor", new Dictionary<string, string>
            {
                ["FullName"] = "Doc " + email[7..13],
                ["Email"] = email,
                ["Password"] = World.Password,
                ["ConfirmPassword"] = World.Password,
                ["LicenceNumber"] = "LIC-" + Guid.NewGuid().ToString("N")[..10],
                ["Specialty"] = "Cardiology",
            });
        }

        using var admin = await AdminAsync(deployment, approveOn);
        await ApproveAsync(admin.On(approveOn), email);
        return new Member(email, null, await AccountOfAsync(deployment, email));
    }

    /// <summary>
    /// Loads <paramref name="pageUrl"/> from <paramref name="renderer"/>, fills the form whose action contains
    /// <paramref name="formAction"/>, and posts it to the same action on <paramref name="poster"/>.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormElsewhereAsync(
        WebSession renderer, string pageUrl, string formAction, IDictionary<string, string> fields, WebSession poster)
    {
        var page = await renderer.GetPageAsync(pageUrl);
        var form = page.Forms.First(f => (f.Action ?? "").Contains(formAction, StringComparison.OrdinalIgnoreCase));
        var values = form.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !fields.ContainsKey(i.Name!))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(fields)
            .ToList();
        var action = new Uri(form.GetAttribute("action")!, UriKind.Relative);
        return await poster.Client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Waits until the outbox holds at least <paramref name="count"/> entries for the records, all confirmed.</summary>
    public static async Task<List<AccessLogEntry>> ConfirmedAsync(TwoInstancesFixture deployment, IReadOnlyCollection<Guid> recordIds, int count) =>
        [.. await Eventually.WaitForAsync(
            () => deployment.AccessLogAsync(recordIds),
            entries => entries.Count >= count && entries.All(e => e.State == OutboxState.Confirmed),
            $"{count} access attempts on {recordIds.Count} record(s) confirmed on the chain",
            ChainWait,
            entries => $"{entries.Count} entries: " + string.Join("; ", entries.Where(e => e.State != OutboxState.Confirmed).Select(e =>
                $"#{e.Id} {e.Actor} {e.State}, {e.Attempts} attempt(s), tx {e.TransactionHash ?? "none"}, error: {e.LastError ?? "none"}")))];

    /// <summary>
    /// Every entry is on the chain exactly once: the contract holds one access event per entry for these records (no
    /// more, no fewer), and each entry's recorded transaction is the one that holds its event. A doctor's entries may
    /// share a transaction (a batch): it then holds one event per entry, in the entries' order.
    /// </summary>
    public static async Task AssertEachOnTheChainOnceAsync(TwoInstancesFixture deployment, Member patient, IReadOnlyList<AccessLogEntry> entries)
    {
        var ids = entries.Select(e => e.RecordId).ToHashSet();
        var events = (await deployment.AccessEventsAsync(patient.Account)).Where(e => ids.Contains(RecordOf(e))).ToList();
        foreach (var batch in entries.GroupBy(e => e.TransactionHash, StringComparer.OrdinalIgnoreCase))
        {
            var mine = events.Where(e => string.Equals(e.TransactionHash, batch.Key, StringComparison.OrdinalIgnoreCase)).Select(RecordOf).ToList();
            var expected = batch.OrderBy(e => e.Id).Select(e => e.RecordId).ToList();
            Assert.True(mine.SequenceEqual(expected),
                $"entries {string.Join(", ", batch.Select(e => "#" + e.Id))} ({batch.First().Actor}, tx {batch.Key}) have {mine.Count} event(s) in their transaction, " +
                $"for records {string.Join(", ", mine)} (expected {string.Join(", ", expected)})");
        }

        Assert.True(entries.Count == events.Count, $"{entries.Count} attempts recorded, {events.Count} access events on the chain for their records");
    }

    private static Guid? RecordOf(EhrAccessEvent e) => e switch
    {
        AccessGrantedEvent g => g.RecordId,
        AccessDeniedEvent d => d.RecordId,
        OwnerAccessEvent o => o.RecordId,
        _ => null,
    };

    private static async Task RegisterAsync(WebSession session, string page, Dictionary<string, string> fields)
    {
        using var response = await session.SubmitAsync(page, fields);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"registration on {page} failed: {(int)response.StatusCode}");
    }

    private static async Task ApproveAsync(WebSession admin, string email)
    {
        var page = await admin.GetPageAsync("/Approvals");
        var approve = page.QuerySelector($"div.card[data-user-email='{email}'] form[action*='/Approve']")?.GetAttribute("action")
            ?? throw new InvalidOperationException($"{email} is not waiting for approval");
        using var response = await admin.SubmitAsync("/Approvals", new Dictionary<string, string>(), approve);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await admin.GetPageAsync("/Approvals");
        Assert.True(after.QuerySelector(".alert-danger") is null, after.QuerySelector(".alert-danger")?.TextContent);
    }

    private static async Task<string> AccountOfAsync(TwoInstancesFixture deployment, string email)
    {
        await using var db = deployment.NewDbContext();
        return await (from user in db.Users
                      join account in db.ChainAccounts on user.Id equals account.UserId
                      where user.Email == email
                      select account.Address).SingleAsync();
    }
}
