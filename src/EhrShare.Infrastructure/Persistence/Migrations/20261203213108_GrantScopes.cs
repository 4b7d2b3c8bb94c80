using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class GrantScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Proof",
                table: "AccessLog",
                type: "varbinary(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "GrantScopes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    PatientAccount = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    DoctorAccount = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    FromBlock = table.Column<long>(type: "bigint", nullable: false),
                    AllRecords = table.Column<bool>(type: "tinyint(1)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantScopes", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "GrantScopeRecords",
                columns: table => new
                {
                    GrantScopeId = table.Column<long>(type: "bigint", nullable: false),
                    RecordId = table.Column<Guid>(type: "char(36)", nullable: false, collation: "ascii_general_ci")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantScopeRecords", x => new { x.GrantScopeId, x.RecordId });
                    table.ForeignKey(
                        name: "FK_GrantScopeRecords_GrantScopes_GrantScopeId",
                        column: x => x.GrantScopeId,
                        principalTable: "GrantScopes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_GrantScopeRecords_RecordId",
                table: "GrantScopeRecords",
                column: "RecordId");

            migrationBuilder.CreateIndex(
                name: "IX_GrantScopes_PatientAccount_DoctorAccount_FromBlock",
                table: "GrantScopes",
                columns: new[] { "PatientAccount", "DoctorAccount", "FromBlock" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GrantScopeRecords");

            migrationBuilder.DropTable(
                name: "GrantScopes");

            migrationBuilder.DropColumn(
                name: "Proof",
                table: "AccessLog");
        }
    }
}
