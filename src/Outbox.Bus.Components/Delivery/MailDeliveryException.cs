using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.Delivery;

public sealed class MailDeliveryException(FailureKind kind, string reason, string? reply = null, Exception? inner = null)
    : Exception(reason, inner)
{
    public FailureKind Kind { get; } = kind;
    public string Reason { get; } = reason;
    public string? Reply { get; } = reply;
}
