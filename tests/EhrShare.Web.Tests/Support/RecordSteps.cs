using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Support;

/// <summary>
/// Records through HTTP, as the patient's page sends and lists them (the script path: multipart body streamed,
/// antiforgery token in the RequestVerificationToken header, JSON answer; or a form posted without script), and what
/// the app database then holds.
/// Steps through the use cases, without HTTP, are <c>RecordActions</c>.
/// </summary>
public static class RecordSteps
{
    public static async Task<WebSession> SignedInAsync(EhrAppFactory app, TestUser user)
    {
        var session = WebSession.For(app);
        await session.SignInAsync(user.Email, World.Password);
        return session;
    }

    /// <summary>The page's script way; <paramref name="file"/> null sends no file part, <paramref name="token"/> null
    /// takes the token from the patient's page.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(this WebSession session, string title, string fileName, string contentType, HttpContent? file, string? token = null)
    {
        token ??= await UploadTokenAsync(session);
        return await PostAsScriptAsync(session, Form(title, fileName, contentType, file), token);
    }

    /// <summary>The page's script way with <paramref name="content"/> as the file; without <paramref name="withToken"/>
    /// the page is loaded but its token not sent.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(
        this WebSession session, string title, string fileName, string contentType, byte[] content, bool withToken = true)
    {
        var token = await UploadTokenAsync(session);
        return await PostAsScriptAsync(session, Form(title, fileName, contentType, new ByteArrayContent(content)), withToken ? token : null);
    }

    /// <summary>The page's script way, titled "Lab result".</summary>
    public static Task<HttpResponseMessage> UploadAsync(this WebSession session, string fileName, string contentType, byte[] content) =>
        session.UploadAsync("Lab result", fileName, contentType, content);

    /// <summary>Uploads through the page's script path with a category field (its value as the form's list sends it).</summary>
    public static async Task<HttpResponseMessage> UploadWithCategoryAsync(
        this WebSession session, string title, string fileName, string contentType, byte[] content, string category)
    {
        var token = await UploadTokenAsync(session);
        return await PostAsScriptAsync(session, Form(title, fileName, contentType, new ByteArrayContent(content), category: category), token);
    }

    /// <summary>Uploads as a browser without script posts the form: the token is a form field, no JSON asked for.</summary>
    public static async Task<HttpResponseMessage> UploadWithoutScriptAsync(this WebSession session, string title, string fileName, string contentType, byte[] content)
    {
        var token = await UploadTokenAsync(session);
        using var form = Form(title, fileName, contentType, new ByteArrayContent(content), token);
        return await session.Client.PostAsync("/Patient/Upload", form);
    }

    /// <summary>
    /// Uploads with the file part's name parameter written raw, e.g. <c>filename*=UTF-8''...</c> (RFC 5987), so it can
    /// carry what a hostile client might put there (path parts, quotes, control characters), or <c>filename=""</c> as a
    /// browser sends when no file was chosen.
    /// </summary>
    public static async Task<HttpResponseMessage> UploadWithRawFileNameAsync(this WebSession session, string title, string fileNameParameter, string contentType, byte[] content)
    {
        var token = await UploadTokenAsync(session);
        const string boundary = "----ehr-test-boundary";
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"Title\"\r\n\r\n{title}\r\n");
        Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"File\"; {fileNameParameter}\r\nContent-Type: {contentType}\r\n\r\n");
        body.Write(content);
        Write($"\r\n--{boundary}--\r\n");
        var file = new ByteArrayContent(body.ToArray());
        file.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return await PostAsScriptAsync(session, file, token);
    }

    /// <summary>Uploads and returns the new record's id (the newest of the patient's list); fails the test otherwise.</summary>
    public static async Task<Guid> UploadRecordAsync(this WebSession session, string title, string fileName, string contentType, byte[] content)
    {
        using (var response = await session.UploadAsync(title, fileName, contentType, content))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await ListedRecordIdsAsync(session))[0];
    }

    /// <summary>The antiforgery token of the upload form on the patient's page.</summary>
    public static async Task<string> UploadTokenAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Patient");
        return page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("No upload form on /Patient");
    }

    /// <summary>The JSON answer of an upload: whether it succeeded and the message shown to the patient.</summary>
    public static async Task<(bool Ok, string Message)> AnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var json = JsonDocument.Parse(body);
            return (json.RootElement.GetProperty("ok").GetBoolean(), json.RootElement.GetProperty("message").GetString()!);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"The upload answered {(int)response.StatusCode} without JSON: {body[..Math.Min(body.Length, 800)]}");
        }
    }

    /// <summary>The ids on the patient's records list, newest first.</summary>
    public static async Task<List<Guid>> ListedRecordIdsAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Patient");
        return [.. page.QuerySelectorAll("#records tbody tr[data-record-id]").Select(r => Guid.Parse(r.GetAttribute("data-record-id")!))];
    }

    public static async Task<MedicalRecord?> FindRecordAsync(EhrAppFactory app, Guid id)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id);
    }

    public static async Task<int> CommittedRecordCountAsync(EhrAppFactory app, string patientUserId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Records.AsNoTracking()
            .CountAsync(r => r.PatientUserId == patientUserId && r.State == RecordState.Committed);
    }

    /// <summary>The attempts to read a patient's records that a user made, as the access-log outbox holds them.</summary>
    public static async Task<IReadOnlyList<AccessLogEntry>> AttemptsByAsync(EhrAppFactory app, string actorUserId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().AccessLog.AsNoTracking()
            .Where(a => a.ActorUserId == actorUserId).OrderBy(a => a.Id).ToListAsync();
    }

    /// <summary>Posts <paramref name="content"/> as the page's script does: the token (if any) in a header, JSON asked for.</summary>
    private static async Task<HttpResponseMessage> PostAsScriptAsync(WebSession session, HttpContent content, string? token)
    {
        using (content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = content };
            if (token is not null)
            {
                request.Headers.Add("RequestVerificationToken", token);
            }

            request.Headers.Accept.ParseAdd("application/json");
            return await session.Client.SendAsync(request);
        }
    }

    /// <summary>The upload form's fields in the page's order (the token field, if any, first; the file last);
    /// <paramref name="file"/> null sends no file part; <paramref name="category"/> null sends none (the default).</summary>
    private static MultipartFormDataContent Form(
        string title, string fileName, string contentType, HttpContent? file, string? tokenField = null, string? category = null)
    {
        var form = new MultipartFormDataContent();
        if (tokenField is not null)
        {
            form.Add(new StringContent(tokenField), "__RequestVerificationToken");
        }

        form.Add(new StringContent(title), "Title");
        form.Add(new StringContent(""), "Notes");
        if (category is not null)
        {
            form.Add(new StringContent(category), "Category");
        }

        if (file is not null)
        {
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            // As a browser sends it; with no file chosen it sends filename="" (which MultipartFormDataContent.Add refuses).
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"File\"", FileName = "\"" + fileName + "\"" };
            form.Add(file);
        }

        return form;
    }
}
