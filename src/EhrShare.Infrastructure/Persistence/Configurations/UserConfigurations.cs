using EhrShare.Core.Areas;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> user)
    {
        user.Property(u => u.DisplayName).HasMaxLength(200);
        user.Property(u => u.Status).HasConversion<string>().HasMaxLength(16);
        user.HasIndex(u => u.Status);
    }
}

internal sealed class AreaConfiguration : IEntityTypeConfiguration<Area>
{
    public void Configure(EntityTypeBuilder<Area> area)
    {
        area.ToTable("Areas");
        area.Property(a => a.Name).HasMaxLength(100).IsRequired();
        area.HasIndex(a => a.Name).IsUnique();
        // Two approvals in one area must not hand out the same PID.
        area.Property(a => a.LastPid).IsConcurrencyToken();
    }
}

internal sealed class PatientProfileConfiguration : IEntityTypeConfiguration<PatientProfile>
{
    public void Configure(EntityTypeBuilder<PatientProfile> patient)
    {
        patient.ToTable("Patients");
        patient.HasKey(p => p.UserId);
        patient.Property(p => p.UserId).HasMaxLength(255);
        patient.HasOne<ApplicationUser>().WithOne().HasForeignKey<PatientProfile>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        patient.HasOne(p => p.Area).WithMany().HasForeignKey(p => p.AreaId).OnDelete(DeleteBehavior.Restrict);
        patient.HasIndex(p => new { p.AreaId, p.Pid }).IsUnique();
        patient.Ignore(p => p.Address);
    }
}

internal sealed class DoctorProfileConfiguration : IEntityTypeConfiguration<DoctorProfile>
{
    public void Configure(EntityTypeBuilder<DoctorProfile> doctor)
    {
        doctor.ToTable("Doctors");
        doctor.HasKey(d => d.UserId);
        doctor.Property(d => d.UserId).HasMaxLength(255);
        doctor.Property(d => d.LicenceNumber).HasMaxLength(50).IsRequired();
        doctor.Property(d => d.Specialty).HasMaxLength(100).IsRequired();
        doctor.HasIndex(d => d.LicenceNumber).IsUnique();
        doctor.HasOne<ApplicationUser>().WithOne().HasForeignKey<DoctorProfile>(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChainAccountConfiguration : IEntityTypeConfiguration<ChainAccount>
{
    public void Configure(EntityTypeBuilder<ChainAccount> account)
    {
        account.ToTable("ChainAccounts");
        account.HasKey(a => a.UserId);
        account.Property(a => a.UserId).HasMaxLength(255);
        account.Property(a => a.Address).HasMaxLength(42).IsFixedLength(false).IsRequired();
        account.HasIndex(a => a.Address).IsUnique();
        account.Property(a => a.ProtectedPrivateKey).HasMaxLength(1000).IsRequired();
        account.HasOne<ApplicationUser>().WithOne().HasForeignKey<ChainAccount>(a => a.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
