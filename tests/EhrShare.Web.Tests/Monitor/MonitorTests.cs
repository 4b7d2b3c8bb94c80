using System.Net;
using System.Text.Json;

namespace EhrShare.Web.Tests.Monitor;

public sealed class MonitorTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Snapshot_ShowsTheChainTheNodesIpfsAndDecodedEvents()
    {
        await World.ApprovedPatientAsync(fixture.App);
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var response = await admin.Client.GetAsync("/Monitor/Snapshot");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var chain = root.GetProperty("chain");
        Assert.True(chain.GetProperty("reachable").GetBoolean());
        Assert.Contains(chain.GetProperty("blocks").EnumerateArray().SelectMany(b => b.GetProperty("transactions").EnumerateArray()),
            t => t.GetProperty("function").GetString()!.StartsWith("registerPatient", StringComparison.Ordinal));
        Assert.Contains(chain.GetProperty("events").EnumerateArray(), e => e.GetProperty("name").GetString() == "PatientRegistered");
        Assert.All(chain.GetProperty("alerts").EnumerateArray(), e => Assert.True(e.GetProperty("alert").GetBoolean()));
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(Testing.TestStack.ShareNodeCount, nodes.Count);
        Assert.All(nodes, n => Assert.True(n.GetProperty("up").GetBoolean()));
        Assert.True(root.GetProperty("ipfs").GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Snapshot_ShowsHowTheLatestLoggedReadsWereBatched()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using (var session = WebSession.For(fixture.App))
        {
            await session.SignInAsync(doctor.Email, World.Password);
            // Two refused reads of the record list (two penalties, below the threshold): both are logged.
            for (var i = 0; i < 2; i++)
            {
                using var refused = await session.Client.GetAsync($"/Doctor/Patients/{patient.Id}");
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }
        }

        var logged = await Support.Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        using var response = await admin.Client.GetAsync("/Monitor/Snapshot");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var batches = json.RootElement.GetProperty("outbox").GetProperty("batches");

        var entries = batches.GetProperty("entries").GetInt32();
        var transactions = batches.GetProperty("transactions").GetInt32();
        Assert.InRange(entries, 2, 1000);
        Assert.InRange(transactions, 1, entries);
        Assert.Equal((double)entries / transactions, batches.GetProperty("mean").GetDouble(), 6);
        Assert.InRange(batches.GetProperty("largest").GetInt32(), logged.GroupBy(a => a.TransactionHash).Max(g => g.Count()), entries);
        Assert.InRange(batches.GetProperty("latest").GetInt32(), 1, batches.GetProperty("largest").GetInt32());
    }

    [Fact]
    public async Task AnEmergency_IsListedAmongTheAlerts_InRed()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using (var session = WebSession.For(fixture.App))
        {
            await session.SignInAsync(doctor.Email, World.Password);
            using var declared = await session.SubmitAsync("/Doctor", new Dictionary<string, string>
            {
                ["Emergency.PatientAddress"] = patient.Address!,
                ["Emergency.Reason"] = "Unconscious in A&E, allergies unknown",
                ["confirmed"] = "true",
            }, "Emergency");
            Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        }

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        using var response = await admin.Client.GetAsync("/Monitor/Snapshot");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var alerts = json.RootElement.GetProperty("chain").GetProperty("alerts").EnumerateArray().ToList();

        Assert.Contains(alerts, a => a.GetProperty("name").GetString() == "EmergencyAccess"
            && a.GetProperty("doctor").GetString() == doctor.Name && a.GetProperty("patient").GetString() == patient.Name);
        Assert.All(alerts, a => Assert.True(a.GetProperty("alert").GetBoolean()));
        var page = await admin.GetPageAsync("/Monitor");
        Assert.NotNull(page.QuerySelector("table#alerts"));
    }

    [Fact]
    public async Task Scan_FromTheMonitor_ReportsItsSummary()
    {
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var scan = await admin.SubmitAsync("/Monitor", new Dictionary<string, string>(), "Scan");

        Assert.Equal(HttpStatusCode.Redirect, scan.StatusCode);
        var page = await admin.GetPageAsync("/Monitor");
        Assert.Contains("Scan", page.QuerySelector(".alert-success")?.TextContent ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_IsForTheAdminOnly()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(patient.Email, World.Password);

        using var response = await session.Client.GetAsync("/Monitor/Snapshot");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location?.AbsolutePath, StringComparison.Ordinal);
    }

    /// <summary>
    /// The refresh's confirmation page and its cancel. Starting one here would refresh every record of the shared test
    /// stack under other tests' feet; ShareRefreshRunTests start, resume and cancel runs on databases of their own.
    /// </summary>
    [Fact]
    public async Task RefreshAllShares_AsksFirst_SayingWhatHappens_AndCancelWithNoneRunningSaysSo()
    {
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var monitor = await admin.GetPageAsync("/Monitor");
        Assert.Equal("/Monitor/Refresh", monitor.QuerySelector("a#refresh-start")?.GetAttribute("href"));

        var confirm = await admin.GetPageAsync("/Monitor/Refresh");

        var what = System.Text.RegularExpressions.Regex.Replace(confirm.QuerySelector("#refresh-what-happens")?.TextContent ?? "", @"\s+", " ");
        Assert.Contains("committed record(s) gets new shares", what, StringComparison.Ordinal);
        Assert.Contains("no longer combine with the new ones", what, StringComparison.Ordinal);
        Assert.Contains("run a repair", what, StringComparison.Ordinal);
        Assert.Contains(confirm.Forms, f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && (f.Action ?? "").EndsWith("/Monitor/Refresh", StringComparison.Ordinal));

        using var cancel = await admin.SubmitAsync("/Monitor", new Dictionary<string, string>(), "CancelRefresh");

        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        var page = await admin.GetPageAsync("/Monitor");
        Assert.Contains("No refresh was running.", page.QuerySelector(".alert-success")?.TextContent ?? "", StringComparison.Ordinal);
        using var status = await admin.Client.GetAsync("/Monitor/RefreshStatus");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task RefreshAllShares_IsForTheAdminOnly()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(patient.Email, World.Password);

        foreach (var url in new[] { "/Monitor/Refresh", "/Monitor/RefreshStatus" })
        {
            using var response = await session.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Account/AccessDenied", response.Headers.Location?.AbsolutePath, StringComparison.Ordinal);
        }
    }
}
