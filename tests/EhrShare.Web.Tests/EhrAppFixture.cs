using EhrShare.Core.Areas;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests;

/// <summary>One app instance shared by the tests of a class (starting the host is the slow part).</summary>
public sealed class EhrAppFixture : IAsyncDisposable
{
    public EhrAppFactory App { get; } = new();

    public async Task<Area> CreateAreaAsync()
    {
        using var scope = App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AreaManagement>()
            .CreateAsync("Area " + Guid.NewGuid().ToString("N")[..10], CancellationToken.None);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
