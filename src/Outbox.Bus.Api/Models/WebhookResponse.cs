namespace Outbox.Bus.Api.Models;

/// <summary>A webhook as Nylas v2 shows it (the SDK's <c>Webhook</c> model reads exactly these fields).</summary>
public sealed record WebhookResponse(
    string Id,
    string ApplicationId,
    string CallbackUrl,
    string State,
    IReadOnlyList<string> Triggers,
    string Version);
