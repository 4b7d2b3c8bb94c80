using EhrShare.Core.Chain.Index;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Chain.Index;

internal sealed class IndexedChainEventConfiguration : IEntityTypeConfiguration<IndexedChainEvent>
{
    public void Configure(EntityTypeBuilder<IndexedChainEvent> e)
    {
        e.ToTable("ChainEvents");
        e.HasKey(x => x.Id);
        e.Property(x => x.BlockHash).HasMaxLength(66).IsRequired();
        e.Property(x => x.TransactionHash).HasMaxLength(66).IsRequired();
        e.Property(x => x.Name).HasMaxLength(40).IsRequired();
        e.Property(x => x.Patient).HasMaxLength(42);
        e.Property(x => x.Doctor).HasMaxLength(42);
        e.Property(x => x.Detail).HasMaxLength(500);
        e.Property(x => x.Category).HasConversion<string>().HasMaxLength(16);

        // An event is its block's hash and its place in the block: written once, whoever indexes.
        e.HasIndex(x => new { x.BlockHash, x.LogIndex }).IsUnique();
        e.HasIndex(x => new { x.BlockNumber, x.LogIndex });
        e.HasIndex(x => x.TransactionHash);
        // History pages: a patient's events newest first, by doctor, by kind.
        e.HasIndex(x => new { x.Patient, x.At });
        e.HasIndex(x => new { x.Patient, x.Doctor, x.At });
        e.HasIndex(x => new { x.Patient, x.Category, x.At });
        e.HasIndex(x => new { x.Doctor, x.Patient });
        // The monitor's red list.
        e.HasIndex(x => new { x.IsAlert, x.BlockNumber, x.LogIndex });
    }
}

internal sealed class ChainIndexStateConfiguration : IEntityTypeConfiguration<ChainIndexState>
{
    public void Configure(EntityTypeBuilder<ChainIndexState> s)
    {
        s.ToTable("ChainIndexState");
        s.HasKey(x => x.Id);
        s.Property(x => x.Id).ValueGeneratedNever();
        s.Property(x => x.ContractAddress).HasMaxLength(42).IsRequired();
        s.Property(x => x.BlockHash).HasMaxLength(66);
        s.Property(x => x.Block).IsConcurrencyToken();
    }
}

internal sealed class ChainIndexCheckpointConfiguration : IEntityTypeConfiguration<ChainIndexCheckpoint>
{
    public void Configure(EntityTypeBuilder<ChainIndexCheckpoint> c)
    {
        c.ToTable("ChainIndexCheckpoints");
        c.HasKey(x => x.BlockNumber);
        c.Property(x => x.BlockNumber).ValueGeneratedNever();
        c.Property(x => x.BlockHash).HasMaxLength(66).IsRequired();
    }
}
