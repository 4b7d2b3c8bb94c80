using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Notifications;

/// <summary>One notification as the Notifications page shows it.</summary>
public sealed record ShownNotification(long Id, string Kind, string Text, bool Unread);

/// <summary>Reads the Notifications page and the navbar's badge; drives the events through the real use cases.</summary>
public static class NotificationSteps
{
    public static async Task<IReadOnlyList<ShownNotification>> ListAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Notifications");
        return page.QuerySelectorAll("#notifications li").Select(li => new ShownNotification(
            long.Parse(li.QuerySelector("form")!.GetAttribute("action")!.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture),
            li.GetAttribute("data-kind")!,
            li.QuerySelector("[data-text]")!.TextContent.Trim(),
            li.GetAttribute("data-unread") == "true")).ToList();
    }

    /// <summary>The badge's text as a screen reader reads it (null when there is no badge).</summary>
    public static async Task<string?> BadgeAsync(WebSession session, string page = "/")
    {
        var document = await session.GetPageAsync(page);
        return document.QuerySelector("#unread-badge")?.TextContent.Trim();
    }

    public static async Task<ShownNotification> WaitForAsync(WebSession session, NotificationKind kind, Func<ShownNotification, bool> match, string what) =>
        (await Support.Eventually.WaitForAsync(
            async () => (await ListAsync(session)).FirstOrDefault(n => n.Kind == kind.ToString() && match(n)),
            n => n is not null,
            what))!;

    public static async Task<HttpResponseMessage> OpenAsync(WebSession session, long id) =>
        await session.PostAsync($"/Notifications/{id}/Open", new Dictionary<string, string>(), "/Notifications");

    public static async Task<T> WithAsync<T>(EhrAppFactory app, Func<IServiceProvider, Task<T>> work)
    {
        using var scope = app.Services.CreateScope();
        return await work(scope.ServiceProvider);
    }

    public static Task GrantAsync(EhrAppFactory app, TestUser patient, TestUser doctor, TimeSpan length) =>
        WithAsync(app, s => s.GetRequiredService<GrantAccess>().ExecuteAsync(patient.Id, doctor.Id, DateTimeOffset.UtcNow + length, CancellationToken.None));

    public static async Task<WebSession> SignedInAsync(EhrAppFactory app, string email)
    {
        var session = WebSession.For(app);
        await session.SignInAsync(email, World.Password);
        return session;
    }

    public static void AssertRedirectTo(HttpResponseMessage response, string path)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(path, response.Headers.Location!.OriginalString);
    }
}
