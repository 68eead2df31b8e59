using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Components.Delivery;
using Outbox.Bus.Components.Delivery.SendGrid;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Consumers;

/// <summary>Makes exactly one attempt through the fallback service (SendGrid) and reports its outcome to the saga, like
/// <see cref="DeliverMessageConsumer"/> does for SMTP; it never decides about retries.</summary>
public sealed class DeliverViaFallbackConsumer(
    OutboxBusDbContext db,
    SendGridFallback fallback,
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
            // The fallback does not use the account's credentials, but a deleted account's jobs must not go out either.
            if (!await db.Accounts.AsNoTracking().AnyAsync(a => a.Id == delivery.AccountId, context.CancellationToken))
                throw new MailDeliveryException(FailureKind.Permanent, "The account no longer exists");

            // Per-account keys are not stored yet: the application-level key is used for every account.
            var reply = await fallback.SendAsync(delivery, context.CancellationToken);

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
                SendGridFallback.Route, failure.Reply, Now));
        }
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
