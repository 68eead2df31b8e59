using System.Text.Json.Nodes;
using Outbox.Bus.Api.Tests.Infrastructure;

namespace Outbox.Bus.Api.Tests;

/// <summary>A copy of the database must not give away provider passwords, access tokens or authorization codes.</summary>
public sealed class When_account_credentials_are_stored
{
    const string SmtpPassword = "Sm7p-P@ssw0rd-for-the-test";
    const string ImapPassword = "1map-P@ssw0rd-for-the-test";

    [Fact]
    public async Task Should_keep_no_password_token_or_code_in_clear_text()
    {
        await using var app = await OutboxBusApp.StartAsync();
        using var client = app.CreateClient();
        var authorize = await client.PostAsync("/connect/authorize", Json.Body(new JsonObject
        {
            ["client_id"] = OutboxBusApp.ClientId,
            ["name"] = "Sender",
            ["email_address"] = "sender@example.com",
            ["provider"] = "imap",
            ["settings"] = new JsonObject
            {
                ["smtp_host"] = app.Smtp.Host,
                ["smtp_port"] = app.Smtp.Port,
                ["smtp_username"] = "sender",
                ["smtp_password"] = SmtpPassword,
                ["imap_host"] = app.Smtp.Host,
                ["imap_port"] = 143,
                ["imap_username"] = "sender",
                ["imap_password"] = ImapPassword,
            },
        }));
        var code = (await authorize.ReadObject()).Str("code");
        var token = await client.PostAsync("/connect/token", Json.Body(new JsonObject
        {
            ["client_id"] = OutboxBusApp.ClientId,
            ["client_secret"] = OutboxBusApp.ClientSecret,
            ["code"] = code,
        }));
        var tokenBody = await token.ReadObject();
        var accessToken = tokenBody.Str("access_token");

        var accounts = app.Query("SELECT * FROM \"Accounts\"");
        var tokens = app.Query("SELECT * FROM \"AccessTokens\"");
        var codes = app.Query("SELECT * FROM \"AuthorizationCodes\"");

        var account = Assert.Single(accounts);
        Assert.Contains(account, value => value == "sender@example.com"); // the right table and row
        Assert.DoesNotContain(account, value => value?.Contains(SmtpPassword, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(account, value => value?.Contains(ImapPassword, StringComparison.Ordinal) == true);
        var tokenRow = Assert.Single(tokens);
        Assert.Contains(tokenRow, value => value == tokenBody.Str("account_id"));
        Assert.DoesNotContain(tokenRow, value => value?.Contains(accessToken, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(Assert.Single(codes), value => value?.Contains(code, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Should_still_send_with_the_stored_password()
    {
        await using var app = await OutboxBusApp.StartAsync(smtp: new Outbox.Bus.Testing.TestSmtpServerOptions
        {
            Username = "sender", Password = SmtpPassword, AuthenticationRequired = true,
        });
        var account = await app.ConnectAsync(smtpUsername: "sender", smtpPassword: SmtpPassword);

        var jobId = (await account.Send(Json.Message())).Str("job_status_id");

        await account.WaitForStatus(jobId, "successful");
        Assert.Equal("sender", Assert.Single(app.Smtp.Messages).AuthenticatedUser);
    }
}
