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
