using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// Second step: the plaintext title, notes and file name go once <see cref="AppDatabaseMigrator"/> has encrypted
    /// them into ProtectedDescription. Down brings back empty columns (the text stays encrypted).
    /// </summary>
    public partial class RecordDescriptionPlaintextDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FileName",
                table: "Records");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "Records");

            migrationBuilder.DropColumn(
                name: "Title",
                table: "Records");

            migrationBuilder.AlterColumn<byte[]>(
                name: "ProtectedDescription",
                table: "Records",
                type: "longblob",
                maxLength: 16384,
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "longblob",
                oldMaxLength: 16384,
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<byte[]>(
                name: "ProtectedDescription",
                table: "Records",
                type: "longblob",
                maxLength: 16384,
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "longblob",
                oldMaxLength: 16384);

            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "Records",
                type: "varchar(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "Records",
                type: "varchar(2000)",
                maxLength: 2000,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "Title",
                table: "Records",
                type: "varchar(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "")
                .Annotation("MySql:CharSet", "utf8mb4");
        }
    }
}
