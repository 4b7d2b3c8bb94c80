using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Tests.Emergency;

/// <summary>
/// Emergencies through the app against the real stack: the reason reaches the chain only as a salted commitment, is
/// stored encrypted and shown to the manager checked against the chain; the contract's cool-down after the patient ends
/// one; the manager's verdict (abusive: a penalty on the chain), given once.
/// </summary>
public sealed class EmergencyReviewTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private const string Reason = "Chest pain and unconscious on arrival";

    [Fact]
    public async Task Reason_IsOnTheChainOnlyAsASaltedCommitment_NoDictionaryGuessMatchesAnyLog_AndItIsStoredEncrypted()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        await DeclareAsync(doctor, patient, Reason);

        var logs = await AllContractLogsAsync();
        var row = await EmergencyOfAsync(doctor.Id);

        // The commitment is there (the check below would otherwise prove nothing) ...
        Assert.Contains(Hex(row.ReasonCommitment), logs, StringComparison.Ordinal);
        // ... but not the text, nor any guess from a dictionary of its words hashed the old way (SHA-256) or the new way
        // without the salt (keccak256 of the text, or of a zero salt and the text).
        Assert.DoesNotContain(Hex(Encoding.UTF8.GetBytes(Reason)), logs, StringComparison.Ordinal);
        var guesses = Dictionary(Reason).ToList();
        Assert.True(guesses.Count > 40);
        foreach (var guess in guesses)
        {
            var text = Encoding.UTF8.GetBytes(guess);
            foreach (var hash in new[] { SHA256.HashData(text), Keccak256.Hash(text), Keccak256.Hash([.. new byte[32], .. text]) })
            {
                Assert.DoesNotContain(Hex(hash), logs, StringComparison.Ordinal);
            }
        }

        // At rest: encrypted (neither the text nor its bytes in the row), readable by the patient and the manager.
        Assert.DoesNotContain(Hex(Encoding.UTF8.GetBytes("unconscious")), Hex(row.ProtectedReason), StringComparison.Ordinal);
        using (var session = WebSession.For(fixture.App))
        {
            await session.SignInAsync(patient.Email, World.Password);
            Assert.Contains(Reason, (await session.GetPageAsync("/Patient/Access")).Body!.TextContent, StringComparison.Ordinal);
        }

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var review = await admin.GetPageAsync($"/Emergencies/{row.Id}");
        Assert.Contains(Reason, review.QuerySelector("#reason")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Matches the commitment on the blockchain", review.QuerySelector("#commitment")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterThePatientEndsAnEmergency_AnotherIsRefusedAndLogged_UntilTheManagerReviews_AbusiveAddsOnePenalty_Once()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        await DeclareAsync(doctor, patient, "Found unresponsive in the waiting room");
        using (var session = WebSession.For(fixture.App))
        {
            await session.SignInAsync(patient.Email, World.Password);
            using var revoked = await session.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["doctorId"] = doctor.Id, ["confirmed"] = "true" }, "Revoke");
            Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        }

        using (var session = WebSession.For(fixture.App))
        {
            await session.SignInAsync(doctor.Email, World.Password);
            using var refused = await session.SubmitAsync("/Doctor", new Dictionary<string, string>
            {
                ["Emergency.PatientAddress"] = patient.Address!,
                ["Emergency.Reason"] = "Found unresponsive again, need the records",
                ["confirmed"] = "true",
            }, "Emergency");
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var page = await WebSession.ParseAsync(refused);
            Assert.Contains("has not reviewed it", page.Body!.TextContent, StringComparison.Ordinal);
        }

        Assert.Single(await EmergenciesOfAsync(doctor.Id));
        var row = await EmergencyOfAsync(doctor.Id);
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var queue = await admin.GetPageAsync("/Emergencies");
        Assert.Contains("row-emergency", queue.QuerySelector($"tr[data-emergency-id='{row.Id}']")!.ClassName ?? "", StringComparison.Ordinal);
        var history = await admin.GetPageAsync($"/Emergencies/{row.Id}");
        Assert.Contains("ended by the patient", history.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);

        using var abusive = await admin.SubmitAsync($"/Emergencies/{row.Id}", new Dictionary<string, string>(), "Abusive");

        Assert.Equal(HttpStatusCode.Redirect, abusive.StatusCode);
        Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        Assert.Equal(EmergencyVerdict.Abusive, (await EmergencyOfAsync(doctor.Id)).Verdict);
        // A second verdict is refused and changes nothing (posted directly: the page no longer offers it).
        using var again = await admin.PostAsync($"/Emergencies/{row.Id}/Justified", new Dictionary<string, string>(), "/Emergencies");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains("already reviewed", (await admin.GetPageAsync($"/Emergencies/{row.Id}")).QuerySelector(".alert-danger")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        Assert.Equal(EmergencyVerdict.Abusive, (await EmergencyOfAsync(doctor.Id)).Verdict);

        // Reviewed: the hold is lifted (the second of the doctor's two a day).
        await DeclareAsync(doctor, patient, "Found unresponsive again, need the records");
        Assert.Equal(2, (await EmergenciesOfAsync(doctor.Id)).Count);
    }

    [Fact]
    public async Task AnUnreviewedEmergency_OlderThanTheSetting_IsListedOnTheAdminsLandingPage_UntilReviewed()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        await DeclareAsync(doctor, patient, "Collapsed at the pharmacy counter");
        var row = await EmergencyOfAsync(doctor.Id);
        var link = $"#overdue-emergencies a[href='/Emergencies/{row.Id}']";

        // With the default (one day) a fresh emergency is not overdue yet.
        using (var admin = WebSession.For(fixture.App))
        {
            await admin.SignInAsAdminAsync();
            Assert.Null((await admin.GetPageAsync("/Approvals")).QuerySelector(link));
        }

        // An instance whose setting makes every unreviewed emergency overdue lists it, until it is reviewed.
        await using var strict = new EhrAppFactory(new Dictionary<string, string?> { ["Emergencies:ReviewOverdueAfter"] = "00:00:00" });
        using var strictAdmin = WebSession.For(strict);
        await strictAdmin.SignInAsAdminAsync();
        Assert.NotNull((await strictAdmin.GetPageAsync("/Approvals")).QuerySelector(link));

        using (var justified = await strictAdmin.SubmitAsync($"/Emergencies/{row.Id}", new Dictionary<string, string>(), "Justified"))
        {
            Assert.Equal(HttpStatusCode.Redirect, justified.StatusCode);
        }

        Assert.Equal(EmergencyVerdict.Justified, (await EmergencyOfAsync(doctor.Id)).Verdict);
        Assert.Null((await strictAdmin.GetPageAsync("/Approvals")).QuerySelector(link));
    }

    private async Task DeclareAsync(TestUser doctor, TestUser patient, string reason)
    {
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(doctor.Email, World.Password);
        var form = await session.GetPageAsync("/Doctor");
        Assert.Contains("reviews every emergency", form.QuerySelector("#emergency-rules")!.TextContent, StringComparison.Ordinal);
        using var declared = await session.SubmitAsync("/Doctor", new Dictionary<string, string>
        {
            ["Emergency.PatientAddress"] = patient.Address!,
            ["Emergency.Reason"] = reason,
            ["confirmed"] = "true",
        }, "Emergency");
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
    }

    private async Task<List<EmergencyDeclaration>> EmergenciesOfAsync(string doctorUserId)
    {
        using var scope = fixture.App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Emergencies.AsNoTracking()
            .Where(e => e.DoctorUserId == doctorUserId).OrderBy(e => e.Id).ToListAsync();
    }

    private async Task<EmergencyDeclaration> EmergencyOfAsync(string doctorUserId) => (await EmergenciesOfAsync(doctorUserId))[0];

    /// <summary>Every log of the contract, topics and data, as one lower-case hex text.</summary>
    private async Task<string> AllContractLogsAsync()
    {
        var contract = fixture.App.Services.GetRequiredService<IOptions<ChainOptions>>().Value.ContractAddress!;
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(TestStack.ChainRpcUrl, new
        {
            jsonrpc = "2.0",
            id = 1,
            method = "eth_getLogs",
            @params = new object[] { new { fromBlock = "0x0", toBlock = "latest", address = contract } },
        });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var sb = new StringBuilder();
        foreach (var log in json.RootElement.GetProperty("result").EnumerateArray())
        {
            foreach (var topic in log.GetProperty("topics").EnumerateArray())
            {
                sb.Append(topic.GetString()![2..]).Append(' ');
            }

            sb.Append(log.GetProperty("data").GetString()![2..]).Append('\n');
        }

        return sb.ToString().ToLowerInvariant();
    }

    /// <summary>The reason's words and every run of consecutive words, as typed and in lower case.</summary>
    private static IEnumerable<string> Dictionary(string reason)
    {
        var words = reason.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var from = 0; from < words.Length; from++)
        {
            for (var to = from + 1; to <= words.Length; to++)
            {
                var phrase = string.Join(' ', words[from..to]);
                yield return phrase;
                yield return phrase.ToLowerInvariant();
            }
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
