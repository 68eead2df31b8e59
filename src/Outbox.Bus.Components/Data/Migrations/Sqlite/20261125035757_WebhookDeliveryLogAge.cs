using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Outbox.Bus.Components.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WebhookDeliveryLogAge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_WebhookDeliveryAttempts_AttemptedAt",
                table: "WebhookDeliveryAttempts",
                column: "AttemptedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookDeliveryAttempts_AttemptedAt",
                table: "WebhookDeliveryAttempts");
        }
    }
}
