using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using EhrShare.SystemBench.Net;
using EhrShare.SystemBench.Stages;
using MySqlConnector;

namespace EhrShare.SystemBench.Faults;

public sealed record FaultUser(string Id, string Email);

/// <summary>
/// The fault bench's people and first records, made through the real use cases in an app hosted in this process (as
/// the system bench's <see cref="World"/> does): every patient grants every doctor, and uploads four records (1–256 KiB)
/// over HTTP, whose ids and bytes the bench keeps. The doctors read only these records.
/// </summary>
public sealed class FaultWorld
{
    private static readonly int[] FirstRecordSizes = [1024, 16 * 1024, 64 * 1024, 256 * 1024];

    private FaultWorld(List<FaultUser> patients, List<FaultUser> doctors, List<KnownRecord> records)
    {
        Patients = patients;
        Doctors = doctors;
        Records = records;
    }

    public IReadOnlyList<FaultUser> Patients { get; }

    public IReadOnlyList<FaultUser> Doctors { get; }

    /// <summary>The records uploaded before the load, with their ids.</summary>
    public IReadOnlyList<KnownRecord> Records { get; }

    /// <summary>The record whose share <see cref="CorruptShareAsync"/> changed, once it did.</summary>
    public Guid? CorruptedRecord { get; private set; }

    public static async Task<FaultWorld> CreateAsync(int patientCount, int doctorCount, Progress progress)
    {
        await using var app = BenchApp.Start(0);
        var area = await World.CreateAreaAsync(app);
        var patients = await World.ManyAsync(patientCount, 4, () => World.PatientAsync(app, area), n => progress.Report($"{n} patients"));
        var doctors = await World.ManyAsync(doctorCount, 4, () => World.DoctorAsync(app), n => progress.Report($"{n} doctors"));
        var grants = 0;
        foreach (var patient in patients)
        {
            foreach (var doctor in doctors)
            {
                await World.GrantAsync(app, patient, doctor);
                progress.Report($"{++grants} grants");
            }
        }

        var records = new List<KnownRecord>();
        foreach (var patient in patients)
        {
            using var browser = new Browser(app.BaseAddress, new TrafficCounter("faults setup"));
            await browser.SignInAsync(patient.Email, World.Password);
            foreach (var size in FirstRecordSizes)
            {
                var content = new byte[size];
                RandomNumberGenerator.Fill(content);
                GeneratedContent.PdfSignature.CopyTo(content);
                var title = $"fault bench first record {size} B";
                await browser.UploadAsync(title, content, size);
                records.Add(new KnownRecord(patient.Id, title, size, SHA256.HashData(content))
                {
                    Id = await World.RecordIdAsync(app, patient, title),
                });
                progress.Report($"{records.Count} first records");
            }
        }

        return new FaultWorld(
            [.. patients.Select(p => new FaultUser(p.Id, p.Email))],
            [.. doctors.Select(d => new FaultUser(d.Id, d.Email))],
            records);
    }

    /// <summary>
    /// Flips the last byte of share <paramref name="x"/> of the largest first record on the node's database, as a
    /// failing disk or a tampering operator would: well-formed, but no longer a point of the record's polynomial.
    /// </summary>
    public async Task CorruptShareAsync(string nodeConnectionString, int x)
    {
        var record = Records.MaxBy(r => r.Size)!.Id!.Value;
        await using var connection = new MySqlConnection(nodeConnectionString);
        await connection.OpenAsync();
        // As the share nodes key them (ShareNode.IdBytes): the id's bytes in big-endian order.
        var id = record.ToByteArray(bigEndian: true);
        await using var read = new MySqlCommand("SELECT share FROM shares WHERE record_id = @id AND x = @x", connection);
        read.Parameters.AddWithValue("@id", id);
        read.Parameters.AddWithValue("@x", x);
        var share = await read.ExecuteScalarAsync() as byte[]
            ?? throw new InvalidOperationException($"Share {x} of record {record} is not on that node.");
        share[^1] ^= 1;
        await using var write = new MySqlCommand("UPDATE shares SET share = @share WHERE record_id = @id AND x = @x", connection);
        write.Parameters.AddWithValue("@share", share);
        write.Parameters.AddWithValue("@id", id);
        write.Parameters.AddWithValue("@x", x);
        await write.ExecuteNonQueryAsync();
        CorruptedRecord = record;
    }
}
