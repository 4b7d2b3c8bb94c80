using EhrShare.EndToEnd.Tests.Support;
using EhrShare.Testing;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>The upload page refuses, in the browser and before a byte is sent, a file the server would refuse for its
/// type or its size, with the server's own message; the page's requests show that nothing went out.</summary>
[Collection(E2ECollection.Name)]
public sealed class UploadRefusalTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task ADisallowedOrOversizedFile_IsRefusedInTheBrowser_AndNoRequestReachesTheServer()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Uma");
            var p = patient.Page;
            var status = p.Locator("#upload-status");
            var uploads = 0;
            p.Request += (_, request) =>
            {
                if (request.Url.Contains("/Patient/Upload", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref uploads);
                }
            };

            await p.GotoAsync("/Patient");
            await p.FillUploadAsync("Lab results", "lab-results.pdf.exe", "application/x-msdownload", SampleFiles.WindowsProgram(4_000));
            await p.UploadButton().ClickAsync();
            await Expect(status).ToHaveTextAsync("This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.");
            await ScreenshotAsync(p, "patient-upload-refused-type");

            // Files too large to hand over from the test: made in the page (the same 1 MiB block repeated).
            foreach (var (name, type, mebibytes, message) in new[]
                     {
                         ("scan.pdf", "application/pdf", 101, "The file is larger than the limit of 100 MiB."),
                         ("bundle.json", "application/fhir+json", 11, "The file is larger than the limit of 10 MiB for JSON and FHIR records."),
                     })
            {
                await p.Locator("#upload-file").EvaluateAsync(
                    """
                    (input, [name, type, mebibytes]) => {
                        const block = new Uint8Array(1024 * 1024);
                        const file = new File(Array(mebibytes).fill(block), name, { type });
                        const chosen = new DataTransfer();
                        chosen.items.add(file);
                        input.files = chosen.files;
                    }
                    """, new object[] { name, type, mebibytes });
                await p.UploadButton().ClickAsync();
                await Expect(status).ToHaveTextAsync(message);
                await Expect(p.UploadButton()).ToBeEnabledAsync();
            }

            await ScreenshotAsync(p, "patient-upload-refused-size");

            // A file the browser lets through is the first request to the upload address.
            await p.UploadAsync("Lab results", "lab-results.pdf", "application/pdf", SampleFiles.Pdf(4_000));
            Assert.Equal(1, Volatile.Read(ref uploads));
            cast.AssertNoBrowserProblems();
        });
    }
}
