using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Tests.Infrastructure;
using Outbox.Bus.Components.Tracking;
using Outbox.Bus.Contracts;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Components.Tests.Tracking;

/// <summary>
/// The tracking side of the webhook role alone (the reply poller and its consumers) on a real SQLite file, watching a
/// real Dovecot inbox. The test plays the sender by storing the tracked message, and drops replies into the inbox.
/// Several hosts can share one data directory, one after the other, to play a restart.
/// </summary>
public sealed class ReplyHost(ComponentHost host) : IAsyncDisposable
{
    static readonly CancellationToken Snapshot = new(canceled: true);

    public ITestHarness Harness => host.Harness;

    public static async Task<ReplyHost> StartAsync(string dataDirectory) =>
        new(await ComponentHost.StartAsync(
            new Dictionary<string, string?>
            {
                // Short intervals instead of real ones: tests never wait through minutes.
                ["Tracking:ReplyPollInterval"] = "00:00:00.300",
                ["Tracking:ImapTimeout"] = "00:00:05",
            },
            new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory },
            (_, _) => { },
            x => x.AddTrackingConsumers()));

    /// <summary>An account connected with the IMAP server's settings, as <c>/connect/authorize</c> stores it.</summary>
    public async Task<Account> AddAccountAsync(TestImapServer imap, string email = "sender@example.com")
    {
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().AccountPasswords();
        var account = new Account
        {
            Id = PublicId.Format(Guid.NewGuid()),
            ClientId = "test-app",
            EmailAddress = email,
            Provider = "imap",
            ImapHost = imap.Host,
            ImapPort = imap.Port,
            ImapUsername = imap.User,
            ImapPasswordProtected = protector.Protect(imap.Password),
            CreatedAt = DateTime.UtcNow,
            LinkedAt = DateTime.UtcNow,
        };
        await host.Write(db => db.Accounts.Add(account));
        return account;
    }

    /// <summary>What <c>track-thread-replies</c> stores once a job with <c>thread_replies</c> has been sent.</summary>
    public async Task<TrackedThread> AddTrackedMessageAsync(Account account)
    {
        var jobId = Guid.NewGuid();
        var thread = new TrackedThread
        {
            JobId = jobId,
            AccountId = account.Id,
            MessageId = $"{PublicId.Format(jobId)}@example.com",
            SentAt = DateTime.UtcNow.AddMinutes(-1),
        };
        await host.Write(db => db.TrackedThreads.Add(thread));
        return thread;
    }

    public IReadOnlyList<ThreadReplied> Reported =>
        Harness.Published.Select<ThreadReplied>(Snapshot).Select(m => m.Context.Message).ToList();

    public Task<ThreadReplied> WaitForReplyAsync(string messageId, TimeSpan? timeout = null) =>
        Eventually.Get(() => Reported.FirstOrDefault(r => r.MessageId == messageId), $"the reply {messageId} to be reported",
            timeout ?? TimeSpan.FromSeconds(15));

    /// <summary>Waits until the poller has looked at every message up to <paramref name="uid"/>: anything it was going to
    /// report about them has been published by then.</summary>
    public async Task WaitForScanAsync(string accountId, long uid, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var mark = await host.Read(db => db.ImapMailboxStates.AsNoTracking()
                .Where(s => s.AccountId == accountId).Select(s => (long?)s.LastUid).SingleOrDefaultAsync());
            if (mark >= uid)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The poller did not read past UID {uid} (mark: {mark?.ToString() ?? "none"})");
            await Task.Delay(50);
        }
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();

    public static MimeMessage Reply(string messageId, string? inReplyTo, IEnumerable<string>? references = null,
        string from = "bob@example.org")
    {
        var message = new MimeMessage { MessageId = messageId, Subject = "Re: Hello", Date = DateTimeOffset.UtcNow };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("sender@example.com"));
        if (inReplyTo is not null)
            message.InReplyTo = inReplyTo;
        foreach (var reference in references ?? [])
            message.References.Add(reference);
        message.Body = new TextPart("plain") { Text = "Thanks!" };
        return message;
    }

    /// <summary>A data directory for hosts that share it; removed, with its pooled connections, on dispose.</summary>
    public sealed class SharedData : IDisposable
    {
        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "outbox-bus-components-tests", Guid.NewGuid().ToString("n"));

        public SharedData() => System.IO.Directory.CreateDirectory(Directory);

        /// <summary>Forgets how far every inbox was read, while no host runs: as if the mark had never been saved.</summary>
        public async Task ForgetMarksAsync()
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(Directory, "outbox-bus.db")}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM \"ImapMailboxStates\"";
            await command.ExecuteNonQueryAsync();
        }

        public void Dispose()
        {
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(Directory, "outbox-bus.db")}"))
                SqliteConnection.ClearPool(connection);
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A handle still closing; the temporary directory is cleaned up by the OS eventually.
            }
        }
    }
}
