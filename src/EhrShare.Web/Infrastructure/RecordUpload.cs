using System.Text;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EhrShare.Web.Infrastructure;

public sealed record UploadOutcome(bool Succeeded, int StatusCode, string Message);

/// <summary>
/// Receives an upload without holding the file: the multipart body is read section by section and the file
/// section's stream goes straight into <see cref="UploadRecord"/> (encrypted and sent to IPFS as it arrives).
/// The antiforgery token must come in the <c>RequestVerificationToken</c> header (the page's script sends it), so it
/// is checked before the body is read; a form posted without script carries it as a field instead, and then the
/// form is read the ordinary way (buffered to disk by ASP.NET Core, never to memory).
/// </summary>
public sealed class RecordUpload(
    UploadRecord upload,
    IAntiforgery antiforgery,
    IOptions<RecordOptions> options,
    ILogger<RecordUpload> logger)
{
    private const int MaxFieldBytes = 8 * 1024;

    public async Task<UploadOutcome> ReceiveAsync(HttpContext http, string patientUserId, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 64 * 1024; // the file plus the other fields and multipart framing
        }

        if (http.Request.ContentLength > limit + 64 * 1024)
        {
            return Fail(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the limit of {Describe(limit)}.");
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Fail(StatusCodes.Status400BadRequest, "Choose a file to upload.");
        }

        try
        {
            if (http.Request.Headers.ContainsKey("RequestVerificationToken"))
            {
                await antiforgery.ValidateRequestAsync(http); // header only: the body is untouched
                return await StreamSectionsAsync(http, boundary, patientUserId, cancellationToken);
            }

            var form = await http.Request.ReadFormAsync(cancellationToken);
            await antiforgery.ValidateRequestAsync(http);
            var file = form.Files.GetFile("File");
            if (file is null || file.Length == 0)
            {
                return Fail(StatusCodes.Status400BadRequest, file is null ? "Choose a file to upload." : "The file is empty. Choose a file with something in it.");
            }

            await using var stream = file.OpenReadStream();
            return await RunAsync(new UploadRequest(patientUserId, form["Title"].ToString(), form["Notes"].ToString(), file.FileName, file.ContentType, stream), cancellationToken);
        }
        catch (AntiforgeryValidationException)
        {
            return Fail(StatusCodes.Status400BadRequest, "The page expired. Reload it and try again.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Fail(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the limit of {Describe(limit)}.");
        }
        catch (InvalidDataException)
        {
            return Fail(StatusCodes.Status400BadRequest, "The upload was malformed. Reload the page and try again.");
        }
    }

    private async Task<UploadOutcome> StreamSectionsAsync(HttpContext http, string boundary, string patientUserId, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, http.Request.Body);
        string title = "", notes = "";
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (disposition.IsFileDisposition() && name == "File")
            {
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                if (fileName.Length == 0)
                {
                    return Fail(StatusCodes.Status400BadRequest, "Choose a file to upload.");
                }

                // The file comes last in the form; the other fields were read above.
                return await RunAsync(new UploadRequest(patientUserId, title, notes, fileName, section.ContentType, section.Body), cancellationToken);
            }

            var value = await ReadFieldAsync(section.Body, cancellationToken);
            if (name == "Title")
            {
                title = value;
            }
            else if (name == "Notes")
            {
                notes = value;
            }
        }

        return Fail(StatusCodes.Status400BadRequest, "Choose a file to upload.");
    }

    private async Task<UploadOutcome> RunAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var uploaded = await upload.ExecuteAsync(request, cancellationToken);
            return new UploadOutcome(true, StatusCodes.Status200OK, $"\u201c{uploaded.Description.Title}\u201d is uploaded, encrypted and anchored on the chain.");
        }
        catch (ValidationFailedException e)
        {
            return Fail(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (DependencyUnavailableException e)
        {
            return Fail(StatusCodes.Status503ServiceUnavailable, $"The upload did not go through and nothing was kept: {e.Message}");
        }
        catch (EhrException e)
        {
            return Fail(StatusCodes.Status400BadRequest, $"The upload did not go through and nothing was kept: {e.Message}");
        }
    }

    private UploadOutcome Fail(int status, string message)
    {
        logger.LogInformation("Upload refused ({Status}): {Reason}", status, message);
        return new UploadOutcome(false, status, message);
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxFieldBytes)
            {
                throw new InvalidDataException("A form field is too long.");
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string Describe(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : $"{bytes / 1024.0:0.#} KiB";
}
