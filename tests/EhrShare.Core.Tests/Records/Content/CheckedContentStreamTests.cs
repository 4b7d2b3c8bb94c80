using System.Text;
using EhrShare.Core.Common;
using EhrShare.Core.Records.Content;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Core.Tests.Records.Content;

public sealed class CheckedContentStreamTests
{
    private const long JsonLimit = 64 * 1024;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task ValidContent_ReadsThroughUnchanged_WhateverTheChunkSize(int chunk)
    {
        var cases = new (RecordType Type, byte[] Content)[]
        {
            (RecordTypes.Pdf, [.. "%PDF-1.7\n"u8, .. new byte[5000]]),
            (RecordTypes.Text, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Hämoglobin – 14,1 g/dL 🩸\n", 300)))),
            (RecordTypes.Csv, "\uFEFFdate;glucose\n2025-03-14;5,1\n"u8.ToArray()),
            (RecordTypes.Json, Encoding.UTF8.GetBytes("\uFEFF{\"values\": [" + string.Join(",", Enumerable.Range(0, 2000)) + "], \"note\": \"naïve 🩺\"}")),
            (RecordTypes.FhirJson, Encoding.UTF8.GetBytes(FhirPatient)),
        };

        foreach (var (type, content) in cases)
        {
            Assert.Equal(content, await ReadAllAsync(type, content, chunk));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task InvalidContent_IsRefused_WhateverTheChunkSize(int chunk)
    {
        var cases = new (RecordType Type, byte[] Content, string Message)[]
        {
            (RecordTypes.Pdf, [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0], "The file is not a PDF: its content is a Windows program."),
            (RecordTypes.Png, "<html><body>"u8.ToArray(), "The file is not a PNG image: its content is an HTML page."),
            (RecordTypes.Jpeg, "plain words"u8.ToArray(), "The file is not a JPEG image: its content does not start as a JPEG image does."),
            (RecordTypes.Text, [0x4D, 0x5A, 0x90, 0], "The file is not text: its content is a Windows program."),
            (RecordTypes.Text, [.. Encoding.UTF8.GetBytes(new string('a', 1000)), 0, .. "b"u8], "The file is not text: it has a NUL byte (at byte 1,000), so it is binary content."),
            (RecordTypes.Text, [.. Encoding.UTF8.GetBytes(new string('a', 1000)), 0xE2, 0x82], "The file is not text: it is not valid UTF-8. Save it as UTF-8 and upload it again."),
            (RecordTypes.Csv, [0xFF, 0xFE, 0x61, 0x00], "The file is not CSV text: its content is UTF-16 text."),
            (RecordTypes.Json, "{\"a\": 1} {\"b\": 2}"u8.ToArray(), "The file is not JSON: it is not valid JSON (line 1, byte 10)."),
            (RecordTypes.Json, "{\"a\": [1, 2"u8.ToArray(), "The file is not JSON: it is not valid JSON (line 1, byte 12)."),
            (RecordTypes.Json, "   "u8.ToArray(), "The file is not JSON: it is not valid JSON (line 1, byte 4)."),
            (RecordTypes.FhirJson, "{\"resourceType\": \"Patient\", \"active\": \"yes\"}"u8.ToArray(), "The file is not a FHIR resource: 1 error against FHIR R4, the first at line 1, position 44 (PVAL123): a value that is not of the form FHIR R4 requires."),
            (RecordTypes.FhirJson, "42"u8.ToArray(), "The file is not a FHIR resource: it is JSON but not an object with a resourceType."),
        };

        foreach (var (type, content, message) in cases)
        {
            var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => ReadAllAsync(type, content, chunk));
            Assert.Equal(message, refused.Message);
            Assert.Equal("File", refused.Field);
        }
    }

    [Fact]
    public async Task CheckStart_RefusesASignatureMismatch_HavingReadNoMoreThanTheHead()
    {
        var source = new CountingStream([0x4D, 0x5A, .. new byte[1024 * 1024]]);
        await using var checkedContent = new CheckedContentStream(source, RecordTypes.Pdf, JsonLimit);

        await Assert.ThrowsAsync<ValidationFailedException>(() => checkedContent.CheckStartAsync(CancellationToken.None));

        Assert.Equal(ContentSniffer.HeadLength, source.Position);
    }

    [Fact]
    public async Task CheckStart_RefusesAnEmptyFile()
    {
        await using var checkedContent = new CheckedContentStream(new MemoryStream(), RecordTypes.Text, JsonLimit);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => checkedContent.CheckStartAsync(CancellationToken.None));

        Assert.Equal("The file is empty. Choose a file with something in it.", refused.Message);
    }

    [Fact]
    public async Task AnError_AfterTheHead_IsThrownByTheReadThatReachesIt_BeforeTheEndIsReported()
    {
        var content = Encoding.UTF8.GetBytes(new string('a', 10_000) + "\0");
        await using var checkedContent = new CheckedContentStream(new MemoryStream(content), RecordTypes.Text, JsonLimit);
        await checkedContent.CheckStartAsync(CancellationToken.None);
        var buffer = new byte[1000];
        long passed = 0;

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(async () =>
        {
            int read;
            while ((read = await checkedContent.ReadAsync(buffer)) > 0)
            {
                passed += read;
            }
        });

        Assert.Contains("NUL byte (at byte 10,000)", refused.Message, StringComparison.Ordinal);
        Assert.True(passed <= 10_000, $"{passed} bytes passed");
    }

    [Fact]
    public async Task Json_OverTheLimit_IsRefused_AsSoonAsItIsPassed()
    {
        var content = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1", 40_000)) + "]");
        var source = new CountingStream(content);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => ReadAllAsync(new CheckedContentStream(source, RecordTypes.Json, 16 * 1024), 4096));

        Assert.Equal("The file is larger than the limit of 16 KiB for JSON and FHIR records.", refused.Message);
        Assert.True(source.Position <= 16 * 1024 + 4096, $"{source.Position} bytes read");
    }

    [Fact]
    public async Task Json_WithOneLongString_SplitAcrossManyChunks_IsValidated()
    {
        var content = Encoding.UTF8.GetBytes("{\"note\": \"" + new string('x', 50_000) + "é\"}");

        Assert.Equal(content, await ReadAllAsync(RecordTypes.Json, content, 1000));
    }

    [Fact]
    public async Task FhirTheAppSerialised_ReadsThroughUnparsed_AndTheFullCheckWouldHavePassedIt()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = DateTimeOffset.UnixEpoch };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = "http://127.0.0.1/fhir/R4/Observation/1",
            Resource = new Observation
            {
                Id = "1",
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://loinc.org", "8867-4"),
                Effective = new FhirDateTime(2026, 12, 1),
                Value = new Quantity(72, "/min"),
            },
        });
        await using var serialized = SerializedFhirResource.Write(bundle);
        var bytes = serialized.ToArray();

        Assert.Equal(bytes, await ReadAllAsync(new CheckedContentStream(serialized, RecordTypes.FhirJson, JsonLimit, fhirParsedAlready: true), 4096));
        Assert.Equal(bytes, await ReadAllAsync(RecordTypes.FhirJson, bytes, 4096));
    }

    [Fact]
    public async Task FhirTheAppSerialised_IsStillHeldToTheJsonLimit()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        bundle.Entry.AddRange(Enumerable.Range(0, 200).Select(i => new Bundle.EntryComponent { Resource = new Observation { Id = $"o{i}", Status = ObservationStatus.Final } }));
        await using var serialized = SerializedFhirResource.Write(bundle);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            ReadAllAsync(new CheckedContentStream(serialized, RecordTypes.FhirJson, 4 * 1024, fhirParsedAlready: true), 4096));

        Assert.Equal("The file is larger than the limit of 4 KiB for JSON and FHIR records.", refused.Message);
    }

    private const string FhirPatient = """
        {
          "resourceType": "Patient",
          "id": "example",
          "name": [ { "family": "Ørsted", "given": [ "Amélie" ] } ],
          "gender": "female",
          "birthDate": "1984-03-14"
        }
        """;

    private static Task<byte[]> ReadAllAsync(RecordType type, byte[] content, int chunk) =>
        ReadAllAsync(new CheckedContentStream(new MemoryStream(content), type, JsonLimit), chunk);

    private static async Task<byte[]> ReadAllAsync(CheckedContentStream stream, int chunk)
    {
        await using (stream)
        {
            await stream.CheckStartAsync(CancellationToken.None);
            using var output = new MemoryStream();
            var buffer = new byte[chunk];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
    }

    /// <summary>Counts what was read from it.</summary>
    private sealed class CountingStream(byte[] content) : MemoryStream(content, writable: false);
}
