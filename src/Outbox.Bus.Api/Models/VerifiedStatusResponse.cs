namespace Outbox.Bus.Api.Models;

/// <summary><c>{"results": {"domain_verified", "sender_verified"}}</c>, as Nylas answers it.</summary>
public sealed record VerifiedStatusResponse(VerifiedStatusResults Results);

public sealed record VerifiedStatusResults(bool DomainVerified, bool SenderVerified);
