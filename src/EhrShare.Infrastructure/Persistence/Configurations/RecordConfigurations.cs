using EhrShare.Core.Access;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class MedicalRecordConfiguration : IEntityTypeConfiguration<MedicalRecord>
{
    public void Configure(EntityTypeBuilder<MedicalRecord> record)
    {
        record.ToTable("Records");
        record.HasKey(r => r.Id);
        record.Property(r => r.Id).ValueGeneratedNever();
        record.Property(r => r.PatientUserId).HasMaxLength(255).IsRequired();
        record.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.PatientUserId).OnDelete(DeleteBehavior.Restrict);
        // Title (200 characters), notes (2,000) and file name (255) as UTF-8 JSON, protected: well under 16 KiB.
        record.Property(r => r.ProtectedDescription).HasMaxLength(16384).IsRequired();
        record.Property(r => r.ContentType).HasMaxLength(100).IsRequired();
        record.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        // Its number (RecordCategory's values are fixed): existing rows become 0, Other, with no data step.
        record.Property(r => r.Category).HasConversion<int>();
        record.Property(r => r.BlockHash).HasMaxLength(32).IsFixedLength();
        record.Property(r => r.PendingCid).HasMaxLength(100);
        record.Property(r => r.FailureReason).HasMaxLength(500);
        record.HasIndex(r => new { r.PatientUserId, r.State, r.CreatedAt });
        record.HasIndex(r => new { r.State, r.LeaseUntil });
    }
}

internal sealed class AccessLogEntryConfiguration : IEntityTypeConfiguration<AccessLogEntry>
{
    public void Configure(EntityTypeBuilder<AccessLogEntry> entry)
    {
        entry.ToTable("AccessLog");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.PatientAccount).HasMaxLength(42).IsRequired();
        entry.Property(e => e.ActorUserId).HasMaxLength(255).IsRequired();
        entry.Property(e => e.ActorAccount).HasMaxLength(42).IsRequired();
        entry.Property(e => e.Actor).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.State).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.LastError).HasMaxLength(500);
        entry.Property(e => e.TransactionHash).HasMaxLength(66);
        // Kept on a batch's first entry only: a logAccessBatch of Outbox:MaxBatch (at most 100) reads is about 13 KB, more
        // with proofs (a set of 1,000,000 records: 20 hashes a read, 64 KB more), so no fixed limit.
        entry.Property(e => e.SignedTransaction);
        // 32 hashes: a set of 4 billion records.
        entry.Property(e => e.Proof).HasMaxLength(1024);
        entry.HasIndex(e => new { e.State, e.NextAttemptAt });
        // A Sent batch is taken up again by its transaction's hash.
        entry.HasIndex(e => e.TransactionHash);
        entry.HasIndex(e => new { e.PatientAccount, e.AttemptedAt });
    }
}

internal sealed class EmergencyDeclarationConfiguration : IEntityTypeConfiguration<EmergencyDeclaration>
{
    public void Configure(EntityTypeBuilder<EmergencyDeclaration> emergency)
    {
        emergency.ToTable("Emergencies");
        emergency.HasKey(e => e.Id);
        emergency.Property(e => e.DoctorUserId).HasMaxLength(255).IsRequired();
        emergency.Property(e => e.PatientUserId).HasMaxLength(255).IsRequired();
        // Salt and text (at most 500 characters, 2,000 UTF-8 bytes) protected: well under 4 KiB.
        emergency.Property(e => e.ProtectedReason).HasMaxLength(4096).IsRequired();
        emergency.Property(e => e.ReasonCommitment).HasMaxLength(32).IsFixedLength();
        emergency.Property(e => e.TransactionHash).HasMaxLength(66).IsRequired();
        emergency.Property(e => e.ReviewedByUserId).HasMaxLength(255);
        emergency.HasIndex(e => new { e.PatientUserId, e.DeclaredAt });
        emergency.HasIndex(e => new { e.DoctorUserId, e.DeclaredAt });
        emergency.HasIndex(e => new { e.Verdict, e.DeclaredAt });
    }
}
