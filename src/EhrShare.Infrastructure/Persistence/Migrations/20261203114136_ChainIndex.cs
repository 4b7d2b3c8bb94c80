using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ChainIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChainEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    BlockNumber = table.Column<long>(type: "bigint", nullable: false),
                    BlockHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    LogIndex = table.Column<int>(type: "int", nullable: false),
                    TransactionHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    BlockTime = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: true),
                    Name = table.Column<string>(type: "varchar(40)", maxLength: 40, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Patient = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Doctor = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    RecordId = table.Column<Guid>(type: "char(36)", nullable: true, collation: "ascii_general_ci"),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: true),
                    Detail = table.Column<string>(type: "varchar(500)", maxLength: 500, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Allowed = table.Column<bool>(type: "tinyint(1)", nullable: true),
                    AttemptedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: true),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Category = table.Column<string>(type: "varchar(16)", maxLength: 16, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    IsAlert = table.Column<bool>(type: "tinyint(1)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChainEvents", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "ChainIndexCheckpoints",
                columns: table => new
                {
                    BlockNumber = table.Column<long>(type: "bigint", nullable: false),
                    BlockHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChainIndexCheckpoints", x => x.BlockNumber);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "ChainIndexState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false),
                    ContractAddress = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Block = table.Column<long>(type: "bigint", nullable: false),
                    BlockHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChainIndexState", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_BlockHash_LogIndex",
                table: "ChainEvents",
                columns: new[] { "BlockHash", "LogIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_BlockNumber_LogIndex",
                table: "ChainEvents",
                columns: new[] { "BlockNumber", "LogIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_Doctor_Patient",
                table: "ChainEvents",
                columns: new[] { "Doctor", "Patient" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_IsAlert_BlockNumber_LogIndex",
                table: "ChainEvents",
                columns: new[] { "IsAlert", "BlockNumber", "LogIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_Patient_At",
                table: "ChainEvents",
                columns: new[] { "Patient", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_Patient_Category_At",
                table: "ChainEvents",
                columns: new[] { "Patient", "Category", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_Patient_Doctor_At",
                table: "ChainEvents",
                columns: new[] { "Patient", "Doctor", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ChainEvents_TransactionHash",
                table: "ChainEvents",
                column: "TransactionHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChainEvents");

            migrationBuilder.DropTable(
                name: "ChainIndexCheckpoints");

            migrationBuilder.DropTable(
                name: "ChainIndexState");
        }
    }
}
