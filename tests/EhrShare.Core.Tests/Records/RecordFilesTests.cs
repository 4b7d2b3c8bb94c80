using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;

namespace EhrShare.Core.Tests.Records;

public sealed class RecordFilesTests
{
    private static readonly string[] AllTypes = [.. RecordTypes.All.Select(t => t.ContentType)];

    [Theory]
    [InlineData("lab-results.pdf.exe", "application/pdf", "lab-results.pdf")]
    [InlineData("report.pdf.html", "text/plain", "report.pdf.txt")]
    [InlineData("scan", "application/pdf", "scan.pdf")]
    [InlineData("Scan.PDF", "application/pdf", "Scan.PDF")]
    [InlineData("photo.jpeg", "image/jpeg", "photo.jpeg")]
    [InlineData("photo.png", "image/jpeg", "photo.jpg")]
    [InlineData("observation.json", "application/fhir+json", "observation.json")]
    [InlineData("record", "text/csv", "record.csv")]
    [InlineData("notes.", "text/plain", "notes.txt")]
    public void NameFor_KeepsTheStem_WithAnExtensionOfTheType(string name, string contentType, string expected)
    {
        Assert.Equal(expected, RecordFiles.NameFor(name, RecordTypes.ByContentType(contentType)!));
    }

    [Fact]
    public void NameFor_ALongName_StaysWithin255Characters()
    {
        var name = RecordFiles.NameFor(new string('a', 255), RecordTypes.Pdf);

        Assert.Equal(255, name.Length);
        Assert.EndsWith(".pdf", name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("..\\..\\Windows\\evil\u200B.pdf", "evil.pdf")]
    [InlineData("\u2067\u2069", "record")]
    public void SanitizeFileName_RemovesFormatCharactersAndPaths(string name, string expected)
    {
        Assert.Equal(expected, RecordFiles.SanitizeFileName(name));
    }

    [Theory]
    [InlineData("application/pdf", "x.exe", "application/pdf")]
    [InlineData("APPLICATION/PDF; charset=binary", "x", "application/pdf")]
    [InlineData("application/octet-stream", "x.JPG", "image/jpeg")]
    [InlineData("text/html", "report.txt", "text/plain")]
    [InlineData("application/json", "bundle.json", "application/json")]
    [InlineData("application/fhir+json", "bundle.json", "application/fhir+json")]
    [InlineData("text/html", "page.html", null)]
    [InlineData("image/svg+xml", "drawing.svg", null)]
    [InlineData(null, "setup.exe", null)]
    public void ResolveType_TakesTheDeclaredType_ThenTheExtension_WhenAllowed(string? declared, string name, string? expected)
    {
        Assert.Equal(expected, RecordFiles.ResolveType(declared, name, AllTypes)?.ContentType);
    }

    [Fact]
    public void ResolveType_OfATypeNotAllowed_IsNull()
    {
        Assert.Null(RecordFiles.ResolveType("application/pdf", "scan.pdf", ["text/plain"]));
    }
}
