namespace Outbox.Bus.Api.Models;

/// <summary>The body of <c>POST</c> (all of it) and <c>PUT</c> (any part of it) on <c>/a/{client_id}/webhooks</c>.</summary>
public sealed class WebhookRequest
{
    public string? CallbackUrl { get; set; }
    public string? State { get; set; }
    public List<string>? Triggers { get; set; }
}
