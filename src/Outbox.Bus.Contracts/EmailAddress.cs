namespace Outbox.Bus.Contracts;

public record EmailAddress(string Email, string? Name = null);
