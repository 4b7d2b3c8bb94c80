using System.Text;
using EhrShare.Core.Records.Content;

namespace EhrShare.Core.Tests.Records.Content;

public sealed class ContentSnifferTests
{
    public static TheoryData<byte[], string> Starts => new()
    {
        { "%PDF-1.7\n%\u00e2\u00e3"u8.ToArray(), "a PDF" },
        { [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "a PNG image" },
        { [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10], "a JPEG image" },
        { "GIF87a\u0001\u0000"u8.ToArray(), "a GIF image" },
        { "GIF89a\u0001\u0000"u8.ToArray(), "a GIF image" },
        { "RIFF\u0024\u0000\u0000\u0000WEBPVP8 "u8.ToArray(), "a WebP image" },
        { [0x4D, 0x5A, 0x90, 0x00, 0x03], "a Windows program" },
        { [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01], "a Linux program" },
        { [0xCF, 0xFA, 0xED, 0xFE, 0x07], "a macOS program" },
        { [0x50, 0x4B, 0x03, 0x04, 0x14], "a ZIP archive (or an Office document)" },
        { [0x1F, 0x8B, 0x08], "a gzip archive" },
        { [0, 0, 0, 0x18, .. "ftypheic"u8], "a HEIC image" },
        { [0, 0, 0, 0x18, .. "ftypisom"u8], "a video" },
        { [0xFF, 0xFE, 0x48, 0x00], "UTF-16 text" },
        { "<!DOCTYPE html>\n<html>"u8.ToArray(), "an HTML page" },
        { "\uFEFF  \n<HTML lang=en>"u8.ToArray(), "an HTML page" },
        { "<script>alert(1)</script>"u8.ToArray(), "an HTML page" },
        { "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"u8.ToArray(), "an SVG image" },
        { "<?xml version=\"1.0\"?>\n<svg>"u8.ToArray(), "an SVG image" },
        { "<?xml version=\"1.0\"?>\n<ClinicalDocument/>"u8.ToArray(), "an XML document" },
        { "#!/bin/sh\nrm -rf /"u8.ToArray(), "a script" },
    };

    [Theory]
    [MemberData(nameof(Starts))]
    public void Identify_NamesWhatTheFirstBytesAre(byte[] head, string expected)
    {
        Assert.Equal(expected, ContentSniffer.Identify(head)?.Description);
    }

    [Theory]
    [InlineData("Haemoglobin 14.1 g/dL")]
    [InlineData("{\"resourceType\": \"Patient\"}")]
    [InlineData("date,glucose\n2025-03-14,5.1")]
    [InlineData("")]
    [InlineData("%PD")] // too short for a signature
    public void Identify_OfOrdinaryTextOrTooFewBytes_IsNull(string text)
    {
        Assert.Null(ContentSniffer.Identify(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void EverySignatureType_IsRecognisedFromItsOwnSignature_AndNoOther()
    {
        var samples = new Dictionary<RecordType, byte[]>
        {
            [RecordTypes.Pdf] = "%PDF-1.4\n"u8.ToArray(),
            [RecordTypes.Png] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
            [RecordTypes.Jpeg] = [0xFF, 0xD8, 0xFF, 0xDB],
            [RecordTypes.Gif] = "GIF89a"u8.ToArray(),
            [RecordTypes.WebP] = "RIFF\0\0\0\0WEBP"u8.ToArray(),
        };

        foreach (var (type, head) in samples)
        {
            foreach (var other in samples.Keys)
            {
                Assert.Equal(type == other, ContentSniffer.HasSignatureOf(other, head));
            }
        }

        Assert.Equal(samples.Keys.OrderBy(t => t.ContentType), RecordTypes.All.Where(t => t.Rule == ContentRule.Signature).OrderBy(t => t.ContentType));
    }

    [Fact]
    public void HasSignatureOf_IsFalse_ForTypesCheckedOtherwise()
    {
        Assert.False(ContentSniffer.HasSignatureOf(RecordTypes.Text, "%PDF-1.7"u8));
    }
}
