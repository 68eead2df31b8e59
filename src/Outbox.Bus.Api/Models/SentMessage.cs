namespace Outbox.Bus.Api.Models;

/// <summary>The Nylas message object answered by a synchronous (<c>sendnow=true</c>) send.</summary>
public sealed record SentMessage(
    string Id,
    string Object,
    string AccountId,
    string JobStatusId,
    string MessageId,
    string? Subject,
    string? Body,
    string Snippet,
    IReadOnlyList<Participant> From,
    IReadOnlyList<Participant> To,
    IReadOnlyList<Participant> Cc,
    IReadOnlyList<Participant> Bcc,
    IReadOnlyList<Participant> ReplyTo,
    long Date,
    bool Unread,
    bool Starred,
    IReadOnlyList<object> Files,
    IReadOnlyList<object> Events,
    IReadOnlyList<object> Labels);
