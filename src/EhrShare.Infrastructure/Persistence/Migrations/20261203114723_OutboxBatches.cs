using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EhrShare.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<byte[]>(
                name: "SignedTransaction",
                table: "AccessLog",
                type: "longblob",
                maxLength: 16384,
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "varbinary(4096)",
                oldMaxLength: 4096,
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessLog_TransactionHash",
                table: "AccessLog",
                column: "TransactionHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessLog_TransactionHash",
                table: "AccessLog");

            migrationBuilder.AlterColumn<byte[]>(
                name: "SignedTransaction",
                table: "AccessLog",
                type: "varbinary(4096)",
                maxLength: 4096,
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "longblob",
                oldMaxLength: 16384,
                oldNullable: true);
        }
    }
}
