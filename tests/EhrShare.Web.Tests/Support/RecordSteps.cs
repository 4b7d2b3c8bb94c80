using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Support;

/// <summary>Uploads as the patient's page does (the script path: token in a header, file streamed last) and as a
/// form posted without script (token as a field); and what the app database then holds.</summary>
public static class RecordSteps
{
    /// <summary>Uploads through the page's script path; returns the response (JSON: ok, message, redirect).</summary>
    public static async Task<HttpResponseMessage> UploadAsync(
        this WebSession session, string title, string fileName, string contentType, byte[] content, bool withToken = true)
    {
        var token = await UploadTokenAsync(session);
        using var form = Form(title, fileName, contentType, content);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        if (withToken)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    /// <summary>Uploads through the page's script path with a category field (its value as the form's list sends it).</summary>
    public static async Task<HttpResponseMessage> UploadWithCategoryAsync(
        this WebSession session, string title, string fileName, string contentType, byte[] content, string category)
    {
        var token = await UploadTokenAsync(session);
        using var form = Form(title, fileName, contentType, content, category: category);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    /// <summary>Uploads as a browser without script posts the form: the token is a form field, no JSON asked for.</summary>
    public static async Task<HttpResponseMessage> UploadWithoutScriptAsync(this WebSession session, string title, string fileName, string contentType, byte[] content)
    {
        var token = await UploadTokenAsync(session);
        using var form = Form(title, fileName, contentType, content, token);
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
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = new ByteArrayContent(body.ToArray()) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    /// <summary>Uploads and returns the new record's id (the newest of the patient's list); fails the test otherwise.</summary>
    public static async Task<Guid> UploadRecordAsync(this WebSession session, string title, string fileName, string contentType, byte[] content)
    {
        using (var response = await session.UploadAsync(title, fileName, contentType, content))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var page = await session.GetPageAsync("/Patient");
        return Guid.Parse(page.QuerySelector("#records tbody tr")!.GetAttribute("data-record-id")!);
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

    private static async Task<string> UploadTokenAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Patient");
        return page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }

    private static MultipartFormDataContent Form(string title, string fileName, string contentType, byte[] content, string? tokenField = null, string? category = null)
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

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "File", fileName);
        return form;
    }
}
