using System.IO.Compression;
using System.Net;
using System.Text;
using EhrShare.Core.Access;
using EhrShare.Testing;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Patient;

/// <summary>
/// The patient's export (the right of access): one ZIP from My records with every record decrypted (the same bytes,
/// each read logged as the patient's own), and the access history as CSV and as a FHIR Bundle of AuditEvents, each
/// entry with its transaction hash.
/// </summary>
public sealed class ExportTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task TheExport_HoldsEveryRecordDecrypted_AndTheHistoryAsCsvAndAuditEvents()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(patient.Email, World.Password);
        var pdf = SampleFiles.Pdf(5_000);
        var text = Encoding.UTF8.GetBytes("Allergies: penicillin\n");
        var pdfId = await session.UploadRecordAsync("Blood test", "blood.pdf", "application/pdf", pdf);
        var textId = await session.UploadRecordAsync("=Allergy, \"note\"", "allergy.txt", "text/plain", text);
        Assert.NotNull((await session.GetPageAsync("/Patient")).QuerySelector("a#export-all[href='/Patient/Export']"));

        using var response = await session.Client.GetAsync("/Patient/Export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.StartsWith($"ehrshare-export-{patient.Address}-", response.Content.Headers.ContentDisposition.FileNameStar, StringComparison.Ordinal);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);

        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Equal(["README.txt", "records.csv", "history.csv", "history-auditevents.json"], names.Take(4));
        var index = ExportArchive.CsvRows(zip, "records.csv");
        Assert.Equal(3, index.Count);
        var byId = index.Skip(1).ToDictionary(l => Guid.Parse(l[^1]), l => l[0]);
        Assert.Equal(pdf, ExportArchive.Bytes(zip, byId[pdfId]));
        Assert.Equal(text, ExportArchive.Bytes(zip, byId[textId]));
        Assert.Contains("'=Allergy, \"\"note\"\"", ExportArchive.Text(zip, "records.csv"), StringComparison.Ordinal);
        Assert.DoesNotContain(names, n => n == "PROBLEMS.txt");

        // The history was read before the records: the two additions, each with its transaction.
        var history = ExportArchive.CsvRows(zip, "history.csv");
        var header = history[0];
        var added = history.Skip(1).Where(l => l[header.IndexOf("event")] == "RecordAdded").ToList();
        Assert.Equal(2, added.Count);
        Assert.All(added, l => Assert.Matches("^0x[0-9a-f]{64}$", l[header.IndexOf("transaction_hash")]));
        var bundle = new FhirJsonDeserializer().Deserialize<Bundle>(ExportArchive.Text(zip, "history-auditevents.json"));
        var audits = bundle.Entry.Select(e => e.Resource).OfType<AuditEvent>().ToList();
        Assert.Equal(history.Count - 1, audits.Count);
        Assert.Equal(
            added.Select(l => l[header.IndexOf("transaction_hash")]).Order(),
            audits.Where(a => a.Subtype.Single().Code == "RecordAdded")
                .Select(a => a.Entity.Single(e => e.What?.Identifier?.System == AuditEventMapping.TransactionSystem).What!.Identifier!.Value).Order());

        // Each record was read through the read use case: the patient's own reads, on their way to the chain.
        var reads = await RecordSteps.AttemptsByAsync(fixture.App, patient.Id);
        Assert.Equal(new[] { pdfId, textId }.Order(), reads.Where(a => a.Actor == AccessActor.Owner).Select(a => a.RecordId!.Value).Order());
    }
}
