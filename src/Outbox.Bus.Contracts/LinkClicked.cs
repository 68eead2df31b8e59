namespace Outbox.Bus.Contracts;

/// <summary>
/// A recipient followed a tracked link of a sent job's message. <paramref name="LinkIndex"/> is the link's position among
/// the message's tracked links (from 0) and <paramref name="Url"/> the original target, both from the signed token.
/// </summary>
public record LinkClicked(
    Guid EventId,
    Guid JobId,
    string AccountId,
    int LinkIndex,
    string Url,
    string? Ip,
    string? UserAgent,
    DateTime ClickedAt);
