using EhrShare.Infrastructure.ShareNodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class ShareNodeProblemCountConfiguration : IEntityTypeConfiguration<ShareNodeProblemCount>
{
    public void Configure(EntityTypeBuilder<ShareNodeProblemCount> problem)
    {
        // ShareNodeReports writes these rows with INSERT … ON DUPLICATE KEY UPDATE under these names.
        problem.ToTable("ShareNodeProblems");
        problem.HasKey(p => new { p.Node, p.Kind });
        problem.Property(p => p.Node).HasMaxLength(ShareNodeEndpoint.MaxNameLength);
        problem.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        problem.Property(p => p.LastDetail).HasMaxLength(500).IsRequired();
    }
}

internal sealed class ShareScanResultConfiguration : IEntityTypeConfiguration<ShareScanResult>
{
    public void Configure(EntityTypeBuilder<ShareScanResult> scan)
    {
        scan.ToTable("ShareScans");
        scan.HasKey(s => s.Id);
        scan.Property(s => s.Summary).HasMaxLength(1000).IsRequired();
    }
}

internal sealed class ShareRefreshRunConfiguration : IEntityTypeConfiguration<ShareRefreshRun>
{
    public void Configure(EntityTypeBuilder<ShareRefreshRun> run)
    {
        run.ToTable("ShareRefreshRuns");
        run.HasKey(r => r.Id);
        run.Property(r => r.StartedBy).HasMaxLength(ShareRefreshRun.NameLength).IsRequired();
        run.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        run.Property(r => r.SkippedNodes).HasMaxLength(ShareRefreshRun.TextLength).IsRequired();
        run.Property(r => r.Outcome).HasMaxLength(ShareRefreshRun.TextLength);
        run.HasIndex(r => r.Active).IsUnique();
    }
}
