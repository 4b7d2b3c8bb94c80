using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Core;

public static class CoreModule
{
    /// <summary>The use cases. Each is a small scoped class with one operation.</summary>
    public static IHostApplicationBuilder AddEhrCore(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<RegisterPatient>();
        builder.Services.AddScoped<RegisterDoctor>();
        builder.Services.AddScoped<AreaManagement>();
        return builder;
    }
}
