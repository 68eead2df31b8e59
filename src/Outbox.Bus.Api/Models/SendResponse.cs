namespace Outbox.Bus.Api.Models;

/// <summary>The answer to an accepted send (202) or update (200).</summary>
public sealed record SendResponse(string JobStatusId, string AccountId, string Status, OriginalData OriginalData);
