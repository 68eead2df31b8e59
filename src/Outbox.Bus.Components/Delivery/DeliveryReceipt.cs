namespace Outbox.Bus.Components.Delivery;

/// <summary>What the provider said when it accepted a message, and which recipients it refused while taking the rest.</summary>
public sealed record DeliveryReceipt(string? Reply, IReadOnlyList<string> RejectedRecipients)
{
    public static DeliveryReceipt Accepted(string? reply) => new(reply, []);
}
