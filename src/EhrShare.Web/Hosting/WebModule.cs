using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Serilog;

namespace EhrShare.Web.Hosting;

public static class WebModule
{
    public static IHostApplicationBuilder AddEhrWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>()
            .BindConfiguration(WebOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddControllersWithViews(mvc =>
        {
            mvc.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
            mvc.Filters.Add<EhrExceptionFilter>();
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "ehrshare.csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddScoped<RecordUpload>();
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(180));
        return builder;
    }

    public static WebApplication UseEhrWeb(this WebApplication app)
    {
        var web = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
        if (!(app.Environment.IsDevelopment() && web.DeveloperExceptionPage))
        {
            // In Development WebApplication puts its developer page outside this pipeline; this handler, inside it,
            // answers first. The error action logs the exception with the page's reference, so the middleware's own
            // log line (without the reference) would only repeat it.
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/Home/Error",
                SuppressDiagnosticsCallback = _ => true,
            });
        }

        if (web.RequireHttps)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/Home/Status/{0}");
        app.UseSerilogRequestLogging(o => o.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapEhrHealth();
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
