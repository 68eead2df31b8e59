namespace Outbox.Bus.Api.Models;

/// <summary><c>{"results": {"domain_verified", "sender_verified"}}</c>, as Nylas answers it.</summary>
public sealed record VerifiedStatusResponse(VerifiedStatusResults Results);

public sealed record VerifiedStatusResults(bool DomainVerified, bool SenderVerified);

/// <summary><c>POST /v2/outbox/onboard/subuser</c>: the account's own SendGrid API key for the fallback.</summary>
public sealed record ConnectFallbackRequest(string? ApiKey);

/// <summary><c>DELETE /v2/outbox/onboard/subuser</c>, as the Nylas SDKs' <c>deleteSendGridSubUser(email)</c> sends it.</summary>
public sealed record DisconnectFallbackRequest(string? Email);

/// <summary>The account's fallback connection and what SendGrid says of its address.</summary>
public sealed record FallbackConnectionResponse(string Email, bool Connected, bool DomainVerified, bool SenderVerified);
