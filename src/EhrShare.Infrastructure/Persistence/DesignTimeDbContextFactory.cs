using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without a running database or the web host:
/// <c>dotnet ef migrations add Name --project src/EhrShare.Infrastructure --output-dir Persistence/Migrations</c>.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<EhrDbContext>
{
    public EhrDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<EhrDbContext>()
            .UseMySql("Server=127.0.0.1;Database=ehrshare", ServerVersion.Parse(new DatabaseOptions().ServerVersion))
            .Options;
        return new EhrDbContext(options);
    }
}
