using MassTransit;
using Outbox.Bus.Contracts;

namespace Outbox.Bus.Components.StateMachines;

public class SendJobState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }

    public string AccountId { get; set; } = null!;
    public EmailMessage Message { get; set; } = null!;

    /// <summary>Stable across attempts, so a recipient can recognise a duplicate delivery.</summary>
    public string MessageId { get; set; } = null!;

    public DateTime CreatedAt { get; set; }

    /// <summary>When the next attempt is due: the client's time, then each retry's.</summary>
    public DateTime SendAt { get; set; }

    public DateTime OriginalSendAt { get; set; }
    public DateTime RetryLimit { get; set; }
    public DateTime UpdatedAt { get; set; }

    public int AttemptCount { get; set; }

    /// <summary>Once set, attempts go through the fallback service instead of the account's own provider.</summary>
    public bool UseFallback { get; set; }

    /// <summary>Whether the sender last found a fallback the account may use (the application's key or its own).</summary>
    public bool FallbackAvailable { get; set; }
    public List<DeliveryAttempt> Attempts { get; set; } = [];
    public string? Reason { get; set; }
    public bool Sent { get; set; }

    public Guid? SendDueTokenId { get; set; }

    /// <summary>Set only while a <c>sendnow</c> client waits for the first attempt.</summary>
    public Guid? WaitingRequestId { get; set; }
    public Uri? WaitingResponseAddress { get; set; }
}
