using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// First of two steps (hand-written, no target model): the encrypted description column, empty, beside the
    /// plaintext columns. <see cref="AppDatabaseMigrator"/> fills it from them before the next migration drops them.
    /// </summary>
    [DbContext(typeof(EhrDbContext))]
    [Migration("20261203084800_RecordDescriptionProtected")]
    public partial class RecordDescriptionProtected : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "ProtectedDescription",
                table: "Records",
                type: "longblob",
                maxLength: 16384,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ProtectedDescription",
                table: "Records");
        }
    }
}
