using MassTransit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Components.Delivery.SendGrid;
using Outbox.Bus.Components.Tracking;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Consumers;

/// <summary>Makes exactly one delivery attempt and reports its outcome to the saga; it never decides about retries.</summary>
public sealed class DeliverMessageConsumer(
    OutboxBusDbContext db,
    IDataProtectionProvider dataProtection,
    IEnumerable<IMailTransport> transports,
    SendGridFallback fallback,
    MessageTracking tracking,
    TimeProvider clock,
    ILogger<DeliverMessageConsumer> logger)
    : IConsumer<DeliverMessage>
{
    public async Task Consume(ConsumeContext<DeliverMessage> context)
    {
        var delivery = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["JobId"] = PublicId.Format(delivery.JobId),
            ["AccountId"] = delivery.AccountId,
            ["Attempt"] = delivery.Attempt,
        });

        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == delivery.AccountId, context.CancellationToken);
        var route = account?.Provider == "pickup" ? "pickup" : "smtp";
        try
        {
            if (account is null)
                throw new MailDeliveryException(FailureKind.Permanent, "The account no longer exists");
            if (account.NeedsReauthentication)
                throw new MailDeliveryException(FailureKind.Authentication, "Invalid authentication",
                    "The account must be re-authenticated before it can send");

            var transport = transports.FirstOrDefault(t => t.Provider == account.Provider)
                ?? throw new MailDeliveryException(FailureKind.Permanent, $"No transport for provider '{account.Provider}'");

            var message = MimeMessages.Build(delivery, clock.GetUtcNow(),
                await tracking.HtmlRewriterAsync(delivery.JobId, delivery.Message, context.CancellationToken));
            var receipt = await transport.SendAsync(ToMailAccount(account), message, context.CancellationToken);

            logger.LogInformation("Delivered attempt {Attempt} over {Route} ({Rejected} recipient(s) refused)", delivery.Attempt, route,
                receipt.RejectedRecipients.Count);
            await context.Publish(new MessageSent(delivery.JobId, delivery.Attempt, delivery.MessageId, route, receipt.Reply, Now,
                receipt.RejectedRecipients));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            var failure = SmtpFailures.Classify(exception);
            logger.LogWarning(exception, "Attempt {Attempt} failed ({Kind}): {Reason}", delivery.Attempt, failure.Kind, failure.Reason);

            if (failure.Kind == FailureKind.Authentication && account is { NeedsReauthentication: false })
            {
                await db.Accounts.Where(a => a.Id == account.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.NeedsReauthentication, true), context.CancellationToken);
            }

            await context.Publish(new MessageDeliveryFailed(delivery.JobId, delivery.Attempt, failure.Kind, failure.Reason, route,
                failure.Reply, Now, FallbackAvailable: fallback.IsConfigured || account?.SendGridApiKeyProtected is not null));
        }
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    MailAccount ToMailAccount(Account account) => new(
        account.Id,
        account.EmailAddress,
        account.Name,
        account.Provider,
        account.SmtpHost,
        account.SmtpPort,
        account.SmtpUsername,
        account.SmtpPasswordProtected is null ? null : dataProtection.AccountPasswords().Unprotect(account.SmtpPasswordProtected),
        account.SslRequired);
}
