using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Outbox.Bus.Components.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AccountFallbackKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FallbackAvailable",
                table: "SendJobs",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "SendGridApiKeyProtected",
                table: "Accounts",
                type: "nvarchar(max)",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FallbackAvailable",
                table: "SendJobs");

            migrationBuilder.DropColumn(
                name: "SendGridApiKeyProtected",
                table: "Accounts");
        }
    }
}
