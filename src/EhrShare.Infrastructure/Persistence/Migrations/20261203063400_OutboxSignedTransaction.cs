using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxSignedTransaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "SignedTransaction",
                table: "AccessLog",
                type: "varbinary(4096)",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TransactionNonce",
                table: "AccessLog",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SignedTransaction",
                table: "AccessLog");

            migrationBuilder.DropColumn(
                name: "TransactionNonce",
                table: "AccessLog");
        }
    }
}
