using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Accounts;
using Outbox.Bus.Components.Data;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Webhooks;

/// <summary>
/// Posts one notification once, records the attempt, and decides what follows: on failure the next attempt is
/// scheduled through the bus's message scheduler (durable where the host's scheduler is, never a timer in this
/// process) until the retry window closes; 410 Gone turns the subscription off; the recent attempts decide whether it
/// is <c>failing</c>.
/// </summary>
public sealed class DeliverWebhookConsumer(
    OutboxBusDbContext db,
    IHttpClientFactory httpClients,
    IOptions<WebhookOptions> options,
    IOptions<ApplicationOptions> applications,
    TimeProvider clock,
    ILogger<DeliverWebhookConsumer> logger)
    : IConsumer<DeliverWebhook>
{
    public async Task Consume(ConsumeContext<DeliverWebhook> context)
    {
        var delivery = context.Message;
        var cancellationToken = context.CancellationToken;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["WebhookId"] = delivery.SubscriptionId,
            ["DeliveryId"] = delivery.DeliveryId,
            ["Trigger"] = delivery.Trigger,
            ["Attempt"] = delivery.Attempt,
        });

        // Read again for every attempt: a subscription deleted, disabled, failed or re-pointed since the notification
        // was created gets what it is now, which may be nothing.
        var subscription = await db.WebhookSubscriptions.AsNoTracking()
            .SingleOrDefaultAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        var dropped = subscription is null ? "the webhook was deleted"
            : !WebhookStates.Delivering.Contains(subscription.State) ? $"the webhook is {subscription.State}"
            : !subscription.Triggers.Contains(delivery.Trigger, StringComparer.Ordinal) ? "the webhook no longer has the trigger"
            : null;
        if (dropped is not null)
        {
            logger.LogInformation("Webhook notification dropped: {Reason}", dropped);
            return;
        }
        if (applications.Value.Find(subscription!.ApplicationId) is not { } application)
        {
            logger.LogWarning("Webhook notification dropped: application {ClientId} is no longer configured, so it cannot be signed",
                subscription.ApplicationId);
            return;
        }

        var attemptedAt = clock.GetUtcNow().UtcDateTime;
        var result = await PostAsync(subscription!.CallbackUrl, delivery.Body, application.ClientSecret, cancellationToken);

        db.WebhookDeliveries.Add(new WebhookDeliveryAttempt
        {
            SubscriptionId = subscription.Id,
            DeliveryId = delivery.DeliveryId,
            Trigger = delivery.Trigger,
            Attempt = delivery.Attempt,
            AttemptedAt = attemptedAt,
            Outcome = result.Outcome,
            StatusCode = result.StatusCode,
            Error = result.Error is { Length: > WebhookDeliveryAttemptLimits.ErrorLength } text
                ? text[..WebhookDeliveryAttemptLimits.ErrorLength]
                : result.Error,
            LatencyMs = result.LatencyMs,
        });
        await db.SaveChangesAsync(cancellationToken);

        switch (result.Outcome)
        {
            case WebhookOutcomes.Delivered:
                logger.LogInformation("Webhook delivered on attempt {Attempt} ({Status}, {LatencyMs} ms)", delivery.Attempt,
                    result.StatusCode, result.LatencyMs);
                await SetState(subscription.Id, WebhookStates.Active, [WebhookStates.Failing], cancellationToken);
                break;

            case WebhookOutcomes.Gone:
                logger.LogInformation("Webhook receiver answered 410 Gone: subscription made inactive");
                await SetState(subscription.Id, WebhookStates.Inactive, [WebhookStates.Active, WebhookStates.Failing], cancellationToken);
                break;

            default:
                await RetryOrGiveUp(context, delivery, result, cancellationToken);
                break;
        }
    }

    async Task RetryOrGiveUp(ConsumeContext context, DeliverWebhook delivery, PostResult result, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var delay = settings.RetryDelay(delivery.Attempt);
        var firstAttemptAt = DateTime.SpecifyKind(delivery.FirstAttemptAt, DateTimeKind.Utc);

        if (now + delay > firstAttemptAt + settings.RetryWindow)
        {
            logger.LogWarning("Webhook attempt {Attempt} failed ({Status}{Error}); the retry window is over: subscription failed",
                delivery.Attempt, result.StatusCode, result.Error);
            await SetState(delivery.SubscriptionId, WebhookStates.Failed, [WebhookStates.Active, WebhookStates.Failing], cancellationToken);
            return;
        }

        logger.LogInformation("Webhook attempt {Attempt} failed ({Status}{Error}); next in {Delay}", delivery.Attempt,
            result.StatusCode, result.Error, delay);
        await context.SchedulePublish(delay, delivery with { Attempt = delivery.Attempt + 1 }, cancellationToken);

        var recent = await db.WebhookDeliveries.AsNoTracking()
            .Where(a => a.SubscriptionId == delivery.SubscriptionId)
            .OrderByDescending(a => a.Id)
            .Take(settings.FailingWindow)
            .Select(a => a.Outcome)
            .ToListAsync(cancellationToken);
        if (recent.Count(o => o != WebhookOutcomes.Delivered) >= settings.FailingThreshold)
            await SetState(delivery.SubscriptionId, WebhookStates.Failing, [WebhookStates.Active], cancellationToken);
    }

    /// <summary>Changes the state only from <paramref name="from"/>, in one statement, so concurrent attempts never undo a
    /// client's choice (inactive) or a harder verdict (failed).</summary>
    async Task SetState(string subscriptionId, string state, string[] from, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.WebhookSubscriptions
            .Where(s => s.Id == subscriptionId && from.Contains(s.State))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.State, state).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (changed > 0)
            logger.LogInformation("Webhook subscription {WebhookId} is now {State}", subscriptionId, state);
    }

    async Task<PostResult> PostAsync(string callbackUrl, string body, string clientSecret, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Compute(clientSecret, bytes));

        var timeout = options.Value.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var client = httpClients.CreateClient(WebhookHttp.ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var outcome = response.IsSuccessStatusCode ? WebhookOutcomes.Delivered
                : response.StatusCode == HttpStatusCode.Gone ? WebhookOutcomes.Gone
                : WebhookOutcomes.Failed;
            return new PostResult(outcome, status, null, stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PostResult(WebhookOutcomes.Failed, null, $"No answer within {timeout.TotalSeconds:0.###} s",
                stopwatch.ElapsedMilliseconds);
        }
        catch (HttpRequestException exception)
        {
            var refused = WebhookChallenge.Find<CallbackAddressRefusedException>(exception);
            return new PostResult(WebhookOutcomes.Failed, null, refused?.Message ?? exception.Message, stopwatch.ElapsedMilliseconds);
        }
    }

    sealed record PostResult(string Outcome, int? StatusCode, string? Error, long LatencyMs);
}
