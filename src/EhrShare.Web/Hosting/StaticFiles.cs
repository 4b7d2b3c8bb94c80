using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace EhrShare.Web.Hosting;

/// <summary>
/// wwwroot sent Brotli or gzip compressed, and cached for a year when asked for by its versioned URL (the views'
/// <c>asp-append-version</c> adds the file's hash as <c>?v=</c>, so a changed file has a new URL)
/// (docs/decisions/static-assets.md).
/// </summary>
public static class StaticFiles
{
    public const string CacheForAYear = "public, max-age=31536000, immutable";

    /// <summary>Only these types are compressed: static text with no secret in it, so compression over HTTPS cannot
    /// leak one (BREACH needs a secret and attacker input in the same compressed body).</summary>
    private static readonly string[] CompressedTypes = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"];

    public static IServiceCollection AddEhrStaticFiles(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = CompressedTypes;
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return services;
    }

    public static IApplicationBuilder UseEhrStaticFiles(this IApplicationBuilder app)
    {
        app.UseResponseCompression();
        return app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                if (context.Context.Request.Query.ContainsKey("v"))
                {
                    context.Context.Response.Headers.CacheControl = CacheForAYear;
                }
            },
        });
    }
}
