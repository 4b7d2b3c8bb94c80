using System.Net;

namespace EhrShare.Web.Tests.Support;

/// <summary>An auth cookie copied out of a session and replayed by another client, as someone who stole it would.</summary>
public static class AuthCookie
{
    /// <summary>Signs <paramref name="session"/> in and returns the auth cookie it was given, as a Cookie header value.</summary>
    public static async Task<string> SignInCapturingAsync(WebSession session, string email, string password = World.Password)
    {
        using var response = await session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Capture(response);
    }

    /// <summary>The auth cookie a response sets.</summary>
    public static string Capture(HttpResponseMessage response)
    {
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
        var auth = cookies.Select(c => c.Split(';')[0]).Where(c => c.StartsWith("ehrshare.auth", StringComparison.Ordinal) && !c.EndsWith('=')).ToList();
        Assert.NotEmpty(auth);
        return string.Join("; ", auth);
    }

    public static async Task AssertOpensAsync(EhrAppFactory app, string cookie, string path)
    {
        using var response = await ReplayAsync(app, cookie, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task AssertSentToSignInAsync(EhrAppFactory app, string cookie, string path)
    {
        using var response = await ReplayAsync(app, cookie, path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location ?? throw new InvalidOperationException("A redirect without a Location.");
        Assert.Equal("/Account/Login", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]);
    }

    private static async Task<HttpResponseMessage> ReplayAsync(EhrAppFactory app, string cookie, string path)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }
}
