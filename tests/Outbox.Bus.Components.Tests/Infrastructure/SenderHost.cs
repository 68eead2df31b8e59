using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>
/// The sender role alone: <c>AddOutboxBusCore</c> on a real SQLite file in a fresh temporary directory,
/// <c>AddOutboxBusDelivery</c>, and a test harness with the sender consumers. The test plays the saga by publishing
/// <see cref="DeliverMessage"/> and reads the <see cref="MessageSent"/> / <see cref="MessageDeliveryFailed"/> reports.
/// One per test; nothing is shared between tests.
/// </summary>
public sealed class SenderHost(ComponentHost host) : IAsyncDisposable
{
    public string DataDirectory => host.DataDirectory;
    public ITestHarness Harness => host.Harness;
    public IServiceProvider Services => host.Services;

    public static async Task<SenderHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        new(await ComponentHost.StartAsync(
            new Dictionary<string, string?> { ["Smtp:CommandTimeout"] = "00:00:05" }, settings,
            (services, configuration) => services.AddOutboxBusDelivery(configuration),
            x => x.AddSenderConsumers()));

    /// <summary>Stores an account as the API's connect flow does: the password only as Data Protection ciphertext.</summary>
    public async Task<Account> AddAccountAsync(string provider = "imap", string? smtpHost = null, int smtpPort = 0,
        string? username = null, string? password = null, string email = "sender@example.com")
    {
        var protector = Services.GetRequiredService<IDataProtectionProvider>().AccountPasswords();
        var account = new Account
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ClientId = "test-app",
            EmailAddress = email,
            Name = "Sender",
            Provider = provider,
            SmtpHost = smtpHost,
            SmtpPort = smtpPort,
            SmtpUsername = username,
            SmtpPasswordProtected = password is null ? null : protector.Protect(password),
            SslRequired = false,
            CreatedAt = DateTime.UtcNow,
            LinkedAt = DateTime.UtcNow,
        };
        await host.Write(db => db.Accounts.Add(account));
        return account;
    }

    public Task<Account> ReadAccountAsync(string id) => host.Read(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id));

    public Task Deliver(DeliverMessage delivery) => Harness.Bus.Publish(delivery);

    /// <summary>The sender's report for the attempt: <see cref="MessageSent"/> or <see cref="MessageDeliveryFailed"/>.</summary>
    public Task<object> WaitForOutcome(DeliverMessage delivery, TimeSpan? timeout = null) =>
        host.WaitForReport(delivery.JobId, delivery.Attempt, timeout);

    public Task<MessageSent> WaitForSent(DeliverMessage delivery, TimeSpan? timeout = null) =>
        host.WaitForReport<MessageSent>(delivery.JobId, delivery.Attempt, timeout);

    public Task<MessageDeliveryFailed> WaitForFailure(DeliverMessage delivery, TimeSpan? timeout = null) =>
        host.WaitForReport<MessageDeliveryFailed>(delivery.JobId, delivery.Attempt, timeout);

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
