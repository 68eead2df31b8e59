namespace Outbox.Bus.Api.Models;

public sealed record Participant(string? Email, string? Name);
