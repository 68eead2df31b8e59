using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MassTransit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// Watches one account's IMAP inbox for replies to its tracked messages: reads what arrived since the stored high-water
/// mark, reports each reply once (<see cref="ThreadReplied"/>, through the bus outbox with the record that it was
/// reported), then waits for new mail with IDLE where the server has it, or polls. Runs until cancelled or until the
/// connection fails; <see cref="ThreadReplyPoller"/> starts it again.
/// </summary>
public sealed class ImapReplyWatcher(
    IServiceScopeFactory scopes,
    IDataProtectionProvider dataProtection,
    IOptions<TrackingOptions> options,
    TimeProvider clock,
    ILogger<ImapReplyWatcher> logger)
{
    const int FetchBatch = 100;

    static readonly FetchRequest Headers = new(MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope |
                                               MessageSummaryItems.InternalDate | MessageSummaryItems.References);

    /// <summary>An account's IMAP settings, with the password in clear for this connection only.</summary>
    sealed record Mailbox(string AccountId, string EmailAddress, string Host, int Port, SecureSocketOptions Security,
        string UserName, string Password);

    public async Task RunAsync(string accountId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["AccountId"] = accountId });
        var settings = options.Value;
        if (await LoadMailboxAsync(accountId, cancellationToken) is not { } mailbox)
            return;

        using var client = new ImapClient { Timeout = (int)settings.ImapTimeout.TotalMilliseconds };
        await client.ConnectAsync(mailbox.Host, mailbox.Port, mailbox.Security, cancellationToken);
        await client.AuthenticateAsync(mailbox.UserName, mailbox.Password, cancellationToken);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        var idle = client.Capabilities.HasFlag(ImapCapabilities.Idle);
        logger.LogDebug("Watching the inbox of {UserName}@{Host} for replies ({Mode})", mailbox.UserName, mailbox.Host,
            idle ? "IDLE" : "polling");

        // Set when the server announces new mail (during IDLE, or with the reply to any command), so the next scan
        // happens at once instead of after the interval.
        var newMail = false;
        CancellationTokenSource? idling = null;
        inbox.CountChanged += (_, _) =>
        {
            newMail = true;
            idling?.Cancel();
        };

        while (!cancellationToken.IsCancellationRequested)
        {
            newMail = false;
            await ScanAsync(mailbox, inbox, cancellationToken);
            if (newMail)
                continue;

            if (idle)
            {
                // IDLE ends on new mail, or after the interval anyway (servers drop IDLEs that last too long, and a
                // periodic scan also covers a notification that was missed).
                using var done = new CancellationTokenSource(settings.ReplyPollInterval);
                idling = done;
                try
                {
                    if (!newMail)
                        await client.IdleAsync(done.Token, cancellationToken);
                }
                finally
                {
                    idling = null;
                }
            }
            else
            {
                await Task.Delay(settings.ReplyPollInterval, clock, cancellationToken);
                // Without IDLE the server reports new mail only in answer to a command.
                await client.NoOpAsync(cancellationToken);
            }
        }

        await client.DisconnectAsync(true, CancellationToken.None);
    }

    /// <summary>
    /// Reads every message after the high-water mark (the first time: those delivered since the oldest tracked message
    /// was sent), reports the replies among them, and moves the mark after each batch.
    /// </summary>
    async Task ScanAsync(Mailbox mailbox, IMailFolder inbox, CancellationToken cancellationToken)
    {
        var validity = inbox.UidValidity;
        var since = clock.GetUtcNow().UtcDateTime - options.Value.ReplyWindow;

        long lastUid;
        DateTime? oldest;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
            var state = await db.ImapMailboxStates.AsNoTracking().SingleOrDefaultAsync(s => s.AccountId == mailbox.AccountId, cancellationToken);
            // A new UIDVALIDITY means the old UIDs mean nothing: read again from the start (reported replies stay reported).
            lastUid = state is not null && state.UidValidity == validity ? state.LastUid : 0;
            oldest = await db.TrackedThreads.AsNoTracking()
                .Where(t => t.AccountId == mailbox.AccountId && t.SentAt >= since)
                .OrderBy(t => t.SentAt).Select(t => (DateTime?)t.SentAt)
                .FirstOrDefaultAsync(cancellationToken);
        }
        if (oldest is null)
            return;

        SearchQuery query = lastUid > 0
            ? SearchQuery.Uids(new UniqueIdRange(new UniqueId(validity, (uint)Math.Min(lastUid + 1, uint.MaxValue)), UniqueId.MaxValue))
            // SINCE has a resolution of days, and the server's idea of a day may be another time zone's.
            : SearchQuery.DeliveredAfter(oldest.Value.Date.AddDays(-1));
        // "n:*" always includes the newest message, even when its UID is below n.
        var fresh = (await inbox.SearchAsync(query, cancellationToken)).Where(u => u.Id > lastUid).OrderBy(u => u.Id).ToList();

        var highest = lastUid;
        foreach (var batch in fresh.Chunk(FetchBatch))
        {
            var summaries = await inbox.FetchAsync(batch, Headers, cancellationToken);
            await ReportRepliesAsync(mailbox, validity, since, summaries, cancellationToken);
            highest = Math.Max(highest, batch.Max(u => u.Id));
            await SaveMarkAsync(mailbox.AccountId, validity, highest, cancellationToken);
        }
        // Nothing new on a first read: start the mark below what the server will hand out next, so later scans ask by UID.
        if (fresh.Count == 0 && lastUid == 0 && inbox.UidNext is { } next)
            await SaveMarkAsync(mailbox.AccountId, validity, next.Id - 1, cancellationToken);
    }

    async Task ReportRepliesAsync(Mailbox mailbox, uint validity, DateTime since, IList<IMessageSummary> summaries,
        CancellationToken cancellationToken)
    {
        var candidates = summaries
            .Select(s => (Summary: s, Parents: ReplyMatching.Parents(s.Envelope?.InReplyTo, s.References)))
            .Where(c => c.Parents.Count > 0)
            .ToList();
        var jobIds = candidates.SelectMany(c => c.Parents)
            .Select(p => ReplyMatching.TryJobId(p, out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty).Distinct().ToList();
        if (jobIds.Count == 0)
            return;

        Dictionary<Guid, TrackedThread> tracked;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
            tracked = await db.TrackedThreads.AsNoTracking()
                .Where(t => t.AccountId == mailbox.AccountId && t.SentAt >= since && jobIds.Contains(t.JobId))
                .ToDictionaryAsync(t => t.JobId, cancellationToken);
        }

        foreach (var (summary, parents) in candidates)
        {
            var replyId = ReplyMatching.Normalize(summary.Envelope?.MessageId);
            // A tracked message itself (e.g. the sender's own copy) is not a reply to it.
            if (replyId is not null && tracked.Values.Any(t => ReplyMatching.Same(t.MessageId, replyId)))
                continue;

            var match = parents
                .Select(p => ReplyMatching.TryJobId(p, out var id) && tracked.TryGetValue(id, out var t) && ReplyMatching.Same(t.MessageId, p) ? t : null)
                .FirstOrDefault(t => t is not null);
            if (match is null)
                continue;

            var fromSelf = summary.Envelope?.From.Mailboxes.Any(m =>
                string.Equals(m.Address, mailbox.EmailAddress, StringComparison.OrdinalIgnoreCase)) ?? false;
            var now = clock.GetUtcNow().UtcDateTime;
            var repliedAt = summary.Envelope?.Date?.UtcDateTime ?? summary.InternalDate?.UtcDateTime ?? now;
            // A reply without a Message-ID is still reported once: its place in this mailbox stands in for the id.
            var id = replyId ?? $"uid-{validity}-{summary.UniqueId.Id}@{mailbox.Host}";
            await ReportAsync(new ThreadReplied(match.JobId, mailbox.AccountId, id, match.MessageId, fromSelf, repliedAt, now), cancellationToken);
        }
    }

    /// <summary>Records the reply and publishes the event in one transaction (bus outbox); a reply already recorded, by
    /// an earlier scan, another process or before a restart, is skipped.</summary>
    async Task ReportAsync(ThreadReplied reply, CancellationToken cancellationToken)
    {
        var key = ReportedReply.KeyFor(reply.AccountId, reply.MessageId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        if (await db.ReportedReplies.AnyAsync(r => r.Key == key, cancellationToken))
            return;

        db.ReportedReplies.Add(new ReportedReply
        {
            Key = key,
            AccountId = reply.AccountId,
            JobId = reply.JobId,
            MessageId = reply.MessageId.Length <= ReportedReply.MessageIdLength ? reply.MessageId : reply.MessageId[..ReportedReply.MessageIdLength],
            ReportedAt = reply.DetectedAt,
        });
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(reply, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Reply {MessageId} to job {JobId} reported", reply.MessageId, PublicId.Format(reply.JobId));
        }
        catch (DbUpdateException)
        {
            // Another poller reported it between the check and the insert: its event is the one that counts. Anything
            // else goes up, and the scan stops before the mark passes this reply.
            if (!await AlreadyReported(key, cancellationToken))
                throw;
        }
    }

    async Task<bool> AlreadyReported(string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>().ReportedReplies.AnyAsync(r => r.Key == key, cancellationToken);
    }

    async Task SaveMarkAsync(string accountId, uint validity, long lastUid, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        var state = await db.ImapMailboxStates.SingleOrDefaultAsync(s => s.AccountId == accountId, cancellationToken);
        if (state is null)
            db.ImapMailboxStates.Add(state = new ImapMailboxState { AccountId = accountId });
        else if (state.UidValidity == validity && state.LastUid >= lastUid)
            return;
        state.UidValidity = validity;
        state.LastUid = lastUid;
        state.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another poller created the row first; the mark only saves work, and the next scan moves it again.
        }
    }

    async Task<Mailbox?> LoadMailboxAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        if (account?.ImapHost is not { Length: > 0 } host)
            return null;

        var protectedPassword = account.ImapPasswordProtected ?? account.SmtpPasswordProtected;
        if (protectedPassword is null)
        {
            logger.LogWarning("Replies cannot be tracked: the account has no IMAP (or SMTP) password");
            return null;
        }

        // Port 993 is IMAP over TLS; elsewhere TLS comes with STARTTLS, required when the account requires TLS.
        var port = account.ImapPort ?? (account.SslRequired ? 993 : 143);
        var security = port == 993 ? SecureSocketOptions.SslOnConnect
            : account.SslRequired ? SecureSocketOptions.StartTls
            : SecureSocketOptions.StartTlsWhenAvailable;
        return new Mailbox(account.Id, account.EmailAddress, host, port, security,
            account.ImapUsername ?? account.SmtpUsername ?? account.EmailAddress,
            dataProtection.AccountPasswords().Unprotect(protectedPassword));
    }
}
