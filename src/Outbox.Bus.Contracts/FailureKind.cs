namespace Outbox.Bus.Contracts;

public enum FailureKind
{
    /// <summary>Worth another attempt later (4xx replies, network faults, timeouts).</summary>
    Transient,

    /// <summary>The provider refused the account's credentials; no retry until the account re-authenticates.</summary>
    Authentication,

    /// <summary>The provider's sending quota is exhausted.</summary>
    DailyLimit,

    /// <summary>The provider refused this message for good (every recipient rejected, message too large).</summary>
    Permanent,
}
