using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Outbox.Bus.Components.Data.Migrations.Postgres
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "SendGridApiKeyProtected",
                table: "Accounts",
                type: "text",
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
