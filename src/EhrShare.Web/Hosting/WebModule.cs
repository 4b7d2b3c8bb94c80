using Serilog;

namespace EhrShare.Web.Hosting;

public static class WebModule
{
    public static IHostApplicationBuilder AddEhrWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddControllersWithViews(mvc =>
            mvc.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()));
        return builder;
    }

    public static WebApplication UseEhrWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Home/Error");
        }

        app.UseStatusCodePagesWithReExecute("/Home/Status/{0}");
        app.UseSerilogRequestLogging();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapEhrHealth();
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
