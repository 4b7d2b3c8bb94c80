using EhrShare.Core.Access;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class AccessRequestConfiguration : IEntityTypeConfiguration<AccessRequest>
{
    public void Configure(EntityTypeBuilder<AccessRequest> request)
    {
        request.ToTable("AccessRequests");
        request.HasKey(r => r.Id);
        request.Property(r => r.DoctorUserId).HasMaxLength(255).IsRequired();
        request.Property(r => r.PatientUserId).HasMaxLength(255).IsRequired();
        request.Property(r => r.Answer).HasConversion<string>().HasMaxLength(16);
        request.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.DoctorUserId).OnDelete(DeleteBehavior.Cascade);
        request.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.PatientUserId).OnDelete(DeleteBehavior.Cascade);
        request.HasIndex(r => new { r.DoctorUserId, r.RequestedAt });
        request.HasIndex(r => new { r.PatientUserId, r.DoctorUserId, r.AnsweredAt });
    }
}

internal sealed class DoctorBlockConfiguration : IEntityTypeConfiguration<DoctorBlock>
{
    public void Configure(EntityTypeBuilder<DoctorBlock> block)
    {
        block.ToTable("DoctorBlocks");
        block.HasKey(b => new { b.PatientUserId, b.DoctorUserId });
        block.Property(b => b.PatientUserId).HasMaxLength(255);
        block.Property(b => b.DoctorUserId).HasMaxLength(255);
        block.HasOne<ApplicationUser>().WithMany().HasForeignKey(b => b.PatientUserId).OnDelete(DeleteBehavior.Cascade);
        block.HasOne<ApplicationUser>().WithMany().HasForeignKey(b => b.DoctorUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RequestReportConfiguration : IEntityTypeConfiguration<RequestReport>
{
    public void Configure(EntityTypeBuilder<RequestReport> report)
    {
        report.ToTable("RequestReports");
        report.HasKey(r => r.Id);
        report.Property(r => r.PatientUserId).HasMaxLength(255).IsRequired();
        report.Property(r => r.DoctorUserId).HasMaxLength(255).IsRequired();
        report.Property(r => r.Comment).HasMaxLength(500);
        report.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.PatientUserId).OnDelete(DeleteBehavior.Cascade);
        report.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.DoctorUserId).OnDelete(DeleteBehavior.Cascade);
        report.HasIndex(r => new { r.PatientUserId, r.DoctorUserId }).IsUnique();
        report.HasIndex(r => r.ReportedAt);
    }
}

internal sealed class GrantScopeConfiguration : IEntityTypeConfiguration<GrantScope>
{
    public void Configure(EntityTypeBuilder<GrantScope> scope)
    {
        scope.ToTable("GrantScopes");
        scope.HasKey(s => s.Id);
        scope.Property(s => s.PatientAccount).HasMaxLength(42).IsRequired();
        scope.Property(s => s.DoctorAccount).HasMaxLength(42).IsRequired();
        scope.Ignore(s => s.Covered);
        scope.HasMany(s => s.Records).WithOne().HasForeignKey(r => r.GrantScopeId).OnDelete(DeleteBehavior.Cascade);
        // At most one set per grant and block (a second change in a block replaces the first).
        scope.HasIndex(s => new { s.PatientAccount, s.DoctorAccount, s.FromBlock }).IsUnique();
    }
}

internal sealed class GrantScopeRecordConfiguration : IEntityTypeConfiguration<GrantScopeRecord>
{
    public void Configure(EntityTypeBuilder<GrantScopeRecord> record)
    {
        record.ToTable("GrantScopeRecords");
        record.HasKey(r => new { r.GrantScopeId, r.RecordId });
        // No foreign key to the record: a removed record stays named by the set the chain's root was built from.
        record.HasIndex(r => r.RecordId);
    }
}
