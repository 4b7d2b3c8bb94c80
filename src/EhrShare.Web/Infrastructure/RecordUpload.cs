using System.Text;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EhrShare.Web.Infrastructure;

/// <summary>What an upload came to: the status and the message for the patient.</summary>
/// <param name="Succeeded">Whether the record was kept.</param>
/// <param name="StatusCode">The HTTP status to answer with.</param>
/// <param name="Message">For the patient; never quotes the file's content.</param>
/// <param name="Malformed">The request itself could not be read (not multipart, a bad boundary, cut short): a
/// browser's form gets an error page rather than the upload page.</param>
public sealed record UploadOutcome(bool Succeeded, int StatusCode, string Message, bool Malformed = false);

/// <summary>
/// Receives an upload without holding the file: the multipart body is read section by section and the file
/// section's stream goes straight into <see cref="UploadRecord"/> (checked against its type, encrypted and sent to
/// IPFS as it arrives). The antiforgery token is checked before any file byte is read: the page's script sends it in
/// the <c>RequestVerificationToken</c> header; the form posted without script sends it as its first field. A type
/// that is not accepted, or a body larger than the limit for the type, is refused from the request's and the file
/// section's headers, before the file's bytes are read.
/// </summary>
public sealed class RecordUpload(
    UploadRecord upload,
    IAntiforgery antiforgery,
    IOptions<AntiforgeryOptions> antiforgeryOptions,
    IOptions<RecordOptions> options,
    ILogger<RecordUpload> logger)
{
    /// <summary>Room for the other fields and the multipart framing around the file.</summary>
    public const long FramingAllowance = 64 * 1024;

    private const int MaxFieldBytes = 8 * 1024;
    private const int MaxBoundaryLength = 70; // RFC 2046

    public async Task<UploadOutcome> ReceiveAsync(HttpContext http, string patientUserId, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + FramingAllowance;
        }

        if (http.Request.ContentLength > limit + FramingAllowance)
        {
            return Fail(StatusCodes.Status413PayloadTooLarge, RecordFiles.TooLarge(limit));
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Malformed("The upload is not a form with a file (multipart/form-data). Reload the page and try again.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return Malformed("The upload has no multipart boundary, so its parts cannot be read. Reload the page and try again.");
        }

        if (boundary.Length > MaxBoundaryLength)
        {
            return Malformed($"The upload's multipart boundary is longer than {MaxBoundaryLength} characters, so its parts cannot be read.");
        }

        try
        {
            var reader = new MultipartReader(boundary, http.Request.Body);
            var tokenHeader = antiforgeryOptions.Value.HeaderName ?? "RequestVerificationToken";
            if (!http.Request.Headers.ContainsKey(tokenHeader))
            {
                // The form posted without script: its first field is the token (Index.cshtml puts it first). Given
                // to the antiforgery check as the header, so that the check does not read (and buffer) the form.
                var first = await reader.ReadNextSectionAsync(cancellationToken);
                if (first is null || FieldName(first) != antiforgeryOptions.Value.FormFieldName)
                {
                    throw new AntiforgeryValidationException("The form's first field is not the antiforgery token.");
                }

                http.Request.Headers[tokenHeader] = await ReadFieldAsync(first.Body, cancellationToken);
            }

            await antiforgery.ValidateRequestAsync(http); // a header token: the body is untouched
            return await StreamSectionsAsync(http, reader, patientUserId, cancellationToken);
        }
        catch (AntiforgeryValidationException)
        {
            return Fail(StatusCodes.Status400BadRequest, "The page expired. Reload it and try again.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Fail(StatusCodes.Status413PayloadTooLarge, RecordFiles.TooLarge(limit));
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException && !http.RequestAborted.IsCancellationRequested)
        {
            // Cut short or not well-formed multipart. Only the kind is logged: MultipartReader's messages can quote
            // the body's lines. UploadRecord has undone whatever it had started.
            logger.LogInformation("Malformed upload ({Failure})", e.GetType().Name);
            return Malformed("The upload was cut short or is not well-formed multipart, so nothing was kept. Reload the page and try again.");
        }
    }

    private async Task<UploadOutcome> StreamSectionsAsync(HttpContext http, MultipartReader reader, string patientUserId, CancellationToken cancellationToken)
    {
        string title = "", notes = "", category = "";
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

                // From the section's headers, before its body is read: the type, and the length the request declares.
                var type = RecordFiles.ResolveType(section.ContentType, RecordFiles.SanitizeFileName(fileName), options.Value.AllowedContentTypes);
                if (type is null)
                {
                    return Fail(StatusCodes.Status400BadRequest, RecordFiles.TypeNotAccepted);
                }

                if (type.Rule is ContentRule.Json or ContentRule.FhirJson && http.Request.ContentLength > options.Value.MaxJsonBytes + FramingAllowance)
                {
                    return Fail(StatusCodes.Status413PayloadTooLarge, RecordFiles.TooLargeForJson(options.Value.MaxJsonBytes));
                }

                // The file comes last in the form; the other fields were read above.
                return await RunAsync(patientUserId, title, notes, category, fileName, section, cancellationToken);
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
            else if (name == "Category")
            {
                category = value;
            }
        }

        return Fail(StatusCodes.Status400BadRequest, "Choose a file to upload.");
    }

    private async Task<UploadOutcome> RunAsync(
        string patientUserId, string title, string notes, string category, string fileName, MultipartSection file, CancellationToken cancellationToken)
    {
        try
        {
            // An unknown category is refused before the file's bytes are read; none chosen is "other".
            var request = new UploadRequest(patientUserId, title, notes, fileName, file.ContentType, file.Body, RecordCategories.FromForm(category));
            var uploaded = await upload.ExecuteAsync(request, cancellationToken);
            return new UploadOutcome(true, StatusCodes.Status200OK, $"\u201c{uploaded.Description.Title}\u201d is uploaded, encrypted and anchored on the chain.");
        }
        catch (EhrException e)
        {
            var response = ErrorResponses.For(e);
            return Fail(
                response.Status,
                e is ValidationFailedException ? e.Message : $"The upload did not go through and nothing was kept: {response.Message}");
        }
    }

    /// <summary>Refusal messages never quote the file's content (they are logged).</summary>
    private UploadOutcome Fail(int status, string message)
    {
        logger.LogInformation("Upload refused ({Status}): {Reason}", status, message);
        return new UploadOutcome(false, status, message);
    }

    private UploadOutcome Malformed(string message) => Fail(StatusCodes.Status400BadRequest, message) with { Malformed = true };

    private static string? FieldName(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ? HeaderUtilities.RemoveQuotes(disposition.Name).Value : null;

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
}
