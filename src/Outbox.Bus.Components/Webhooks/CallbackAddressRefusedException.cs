namespace Outbox.Bus.Components.Webhooks;

/// <summary>A callback host resolved to an address webhooks may not reach (SSRF protection).</summary>
public sealed class CallbackAddressRefusedException(string message) : IOException(message);
