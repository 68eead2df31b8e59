using System.ComponentModel.DataAnnotations;

namespace Outbox.Bus.Components;

public enum TransportKind
{
    /// <summary>Everything in one process: the embedded default.</summary>
    InMemory,

    /// <summary>Production: API and workers as separate processes on one broker.</summary>
    RabbitMq,
}

public sealed class TransportOptions
{
    public const string Section = "Transport";

    public TransportKind Kind { get; set; } = TransportKind.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>MassTransit's anonymous usage report to its authors; off unless the operator turns it on.</summary>
    public bool UsageTelemetry { get; set; }
}

public sealed class RabbitMqOptions
{
    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    public bool UseTls { get; set; }

    /// <summary>Quorum queues survive a broker node's loss; classic queues are lighter for a single broker.</summary>
    public bool QuorumQueues { get; set; }

    /// <summary>Messages a consumer may hold unacknowledged; MassTransit derives endpoint concurrency from it.</summary>
    [Range(1, 10_000)]
    public ushort PrefetchCount { get; set; } = 32;
}
