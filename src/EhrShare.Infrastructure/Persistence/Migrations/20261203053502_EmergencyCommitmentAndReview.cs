using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EmergencyCommitmentAndReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows from before hold the reason in plain text and its unsalted SHA-256 (recoverable by dictionary), and
            // name emergencies of the previous contract (a new contract's code is a new deployment): they are removed
            // rather than kept readable. See docs/decisions/emergency-reason-commitment.md.
            migrationBuilder.Sql("DELETE FROM `Emergencies`;");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "Emergencies");

            migrationBuilder.RenameColumn(
                name: "ReasonHash",
                table: "Emergencies",
                newName: "ReasonCommitment");

            migrationBuilder.AddColumn<long>(
                name: "BlockNumber",
                table: "Emergencies",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<byte[]>(
                name: "ProtectedReason",
                table: "Emergencies",
                type: "varbinary(4096)",
                maxLength: 4096,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ReviewedAt",
                table: "Emergencies",
                type: "datetime(6)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewedByUserId",
                table: "Emergencies",
                type: "varchar(255)",
                maxLength: 255,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "TransactionHash",
                table: "Emergencies",
                type: "varchar(66)",
                maxLength: 66,
                nullable: false,
                defaultValue: "")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "Until",
                table: "Emergencies",
                type: "datetime(6)",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "Verdict",
                table: "Emergencies",
                type: "int",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Emergencies_Verdict_DeclaredAt",
                table: "Emergencies",
                columns: new[] { "Verdict", "DeclaredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Emergencies_Verdict_DeclaredAt",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "BlockNumber",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "ProtectedReason",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "ReviewedAt",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "ReviewedByUserId",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "TransactionHash",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "Until",
                table: "Emergencies");

            migrationBuilder.DropColumn(
                name: "Verdict",
                table: "Emergencies");

            migrationBuilder.RenameColumn(
                name: "ReasonCommitment",
                table: "Emergencies",
                newName: "ReasonHash");

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "Emergencies",
                type: "varchar(500)",
                maxLength: 500,
                nullable: false,
                defaultValue: "")
                .Annotation("MySql:CharSet", "utf8mb4");
        }
    }
}
