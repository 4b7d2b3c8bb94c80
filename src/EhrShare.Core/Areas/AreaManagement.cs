using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Areas;

/// <summary>The admin manages the areas patients register in; an area's id is the AID of their addresses.</summary>
public sealed class AreaManagement(IEhrDbContext db)
{
    public Task<List<Area>> ListAsync(bool openOnly, CancellationToken cancellationToken) =>
        openOnly
            ? db.Areas.AsNoTracking().Where(a => a.IsOpen).OrderBy(a => a.Name).ToListAsync(cancellationToken)
            : db.Areas.AsNoTracking().OrderBy(a => a.Id).ToListAsync(cancellationToken);

    public async Task<Area> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var trimmed = ValidName(name);
        if (await db.Areas.AnyAsync(a => a.Name == trimmed, cancellationToken))
        {
            throw new ValidationFailedException($"There is already an area named '{trimmed}'.", "Name");
        }

        var area = new Area { Name = trimmed };
        db.Areas.Add(area);
        await db.SaveChangesAsync(cancellationToken);
        return area;
    }

    public async Task RenameAsync(int id, string name, CancellationToken cancellationToken)
    {
        var area = await FindAsync(id, cancellationToken);
        var trimmed = ValidName(name);
        if (await db.Areas.AnyAsync(a => a.Name == trimmed && a.Id != id, cancellationToken))
        {
            throw new ValidationFailedException($"There is already an area named '{trimmed}'.", "Name");
        }

        area.Name = trimmed;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Closed areas take no new registrations; existing patients keep their addresses.</summary>
    public async Task SetOpenAsync(int id, bool open, CancellationToken cancellationToken)
    {
        var area = await FindAsync(id, cancellationToken);
        area.IsOpen = open;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Area> FindAsync(int id, CancellationToken cancellationToken) =>
        await db.Areas.FirstOrDefaultAsync(a => a.Id == id, cancellationToken)
        ?? throw new NotFoundException("That area does not exist.");

    private static string ValidName(string? name)
    {
        var trimmed = UserText.CleanLine(name);
        return trimmed.Length is >= 2 and <= 100
            ? trimmed
            : throw new ValidationFailedException("Enter an area name of 2 to 100 characters.", "Name");
    }
}
