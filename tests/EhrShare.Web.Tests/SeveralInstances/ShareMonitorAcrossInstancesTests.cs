using System.Net;
using System.Text.Json;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using MySqlConnector;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// The share-node part of the monitor (problems the reads meet, the last scan) is kept in the app database, so the
/// admin sees the same on either instance, whichever instance met the problem or ran the scan.
/// </summary>
[Collection(SeveralInstancesCollection.Name)]
public sealed class ShareMonitorAcrossInstancesTests(TwoInstancesFixture deployment)
{
    [Fact]
    public async Task AScanRunThroughA_IsShownByBsMonitor()
    {
        using var admin = await Steps.AdminAsync(deployment, deployment.A);
        var before = (await SnapshotAsync(admin.On(deployment.B))).GetProperty("lastScan");

        using (var scan = await admin.On(deployment.A).SubmitAsync("/Monitor", new Dictionary<string, string>(), "Scan"))
        {
            Assert.Equal(HttpStatusCode.Redirect, scan.StatusCode);
        }

        var onA = (await SnapshotAsync(admin.On(deployment.A))).GetProperty("lastScan");
        var onB = (await SnapshotAsync(admin.On(deployment.B))).GetProperty("lastScan");
        Assert.Equal(JsonValueKind.Object, onA.ValueKind);
        Assert.NotEqual(before.ToString(), onA.ToString());
        Assert.Equal(onA.ToString(), onB.ToString());
        Assert.Contains("node(s)", onB.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingShareThatAReadOnAMeets_IsCountedOnBsMonitor()
    {
        var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: deployment.B, approveOn: deployment.A);
        using var p = await Steps.SignedInAsync(deployment.B, patient.Email);
        var content = SampleFiles.Pdf(2_000);
        var recordId = await p.On(deployment.B).UploadRecordAsync("X-ray report", "xray.pdf", "application/pdf", content);
        using var admin = await Steps.AdminAsync(deployment, deployment.B);
        var before = Node(await SnapshotAsync(admin.On(deployment.B)), "node-2").GetProperty("problems").GetInt64();
        await DeleteShareAsync(deployment.NodeConnectionStrings[1], recordId);

        // The read still succeeds (k of n shares); the vault reports the node that had none.
        Assert.Equal(content, await p.On(deployment.A).Client.GetByteArrayAsync($"/Patient/Records/{recordId}/Download"));

        var node2 = await Eventually.WaitForAsync(
            async () => Node(await SnapshotAsync(admin.On(deployment.B)), "node-2"),
            n => n.GetProperty("problems").GetInt64() > before
                 && n.GetProperty("lastProblem").GetString()?.Contains(recordId.ToString(), StringComparison.Ordinal) == true,
            "B's monitor counts the missing share on node-2 that A met",
            describe: n => n.ToString());
        Assert.Contains("missing", node2.GetProperty("lastProblem").GetString(), StringComparison.Ordinal);
        var onA = Node(await SnapshotAsync(admin.On(deployment.A)), "node-2");
        foreach (var seen in new[] { "problems", "lastProblem", "lastProblemAt" })
        {
            Assert.Equal(node2.GetProperty(seen).ToString(), onA.GetProperty(seen).ToString());
        }
    }

    private static async Task<JsonElement> SnapshotAsync(WebSession admin)
    {
        using var response = await admin.Client.GetAsync("/Monitor/Snapshot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    private static JsonElement Node(JsonElement snapshot, string name) =>
        snapshot.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);

    private static async Task DeleteShareAsync(string nodeConnectionString, Guid recordId)
    {
        await using var connection = new MySqlConnection(nodeConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("DELETE FROM shares WHERE record_id = @id", connection);
        command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
