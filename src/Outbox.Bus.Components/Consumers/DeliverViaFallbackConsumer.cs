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

/// <summary>Makes exactly one attempt through the fallback service (SendGrid) and reports its outcome to the saga, like
/// <see cref="DeliverMessageConsumer"/> does for SMTP; it never decides about retries.</summary>
public sealed class DeliverViaFallbackConsumer(
    OutboxBusDbContext db,
    IDataProtectionProvider dataProtection,
    SendGridFallback fallback,
    MessageTracking tracking,
    TimeProvider clock,
    ILogger<DeliverViaFallbackConsumer> logger)
    : IConsumer<DeliverViaFallback>
{
    public async Task Consume(ConsumeContext<DeliverViaFallback> context)
    {
        var delivery = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["JobId"] = PublicId.Format(delivery.JobId),
            ["AccountId"] = delivery.AccountId,
            ["Attempt"] = delivery.Attempt,
        });

        try
        {
            // A deleted account's jobs must not go out, even though the fallback does not use its mailbox credentials.
            var account = await db.Accounts.AsNoTracking().Where(a => a.Id == delivery.AccountId)
                    .Select(a => new { a.SendGridApiKeyProtected })
                    .SingleOrDefaultAsync(context.CancellationToken)
                ?? throw new MailDeliveryException(FailureKind.Permanent, "The account no longer exists");

            // The account's own key when it connected one; otherwise the application's (SendGridFallback's default).
            var reply = await fallback.SendAsync(delivery, context.CancellationToken,
                dataProtection.UnprotectFallbackKey(account.SendGridApiKeyProtected),
                await tracking.HtmlRewriterAsync(delivery.JobId, delivery.Message, context.CancellationToken));

            logger.LogInformation("Delivered attempt {Attempt} over {Route}", delivery.Attempt, SendGridFallback.Route);
            await context.Publish(new MessageSent(delivery.JobId, delivery.Attempt, delivery.MessageId, SendGridFallback.Route,
                reply, Now));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            var failure = SendGridResponses.Classify(exception);
            logger.LogWarning(exception, "Attempt {Attempt} over {Route} failed ({Kind}): {Reason}", delivery.Attempt,
                SendGridFallback.Route, failure.Kind, failure.Reason);
            await context.Publish(new MessageDeliveryFailed(delivery.JobId, delivery.Attempt, failure.Kind, failure.Reason,
                SendGridFallback.Route, failure.Reply, Now, FallbackAvailable: true));
        }
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
