namespace Outbox.Bus.Api.Models;

/// <summary>One attempt in a webhook's delivery log. <c>attempted_at</c> is Unix seconds, like every time on the wire.</summary>
public sealed record WebhookDeliveryResponse(
    long Id,
    string DeliveryId,
    string Trigger,
    int Attempt,
    long AttemptedAt,
    string Outcome,
    int? StatusCode,
    string? Error,
    long LatencyMs);
