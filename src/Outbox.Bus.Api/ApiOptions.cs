using System.ComponentModel.DataAnnotations;

namespace Outbox.Bus.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The largest message <c>body</c> accepted, in UTF-8 bytes; larger answers 413.</summary>
    [Range(1, int.MaxValue)]
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most recipients (to + cc + bcc) one message may have.</summary>
    [Range(1, 10_000)]
    public int MaxRecipients { get; set; } = 100;

    /// <summary>How long <c>sendnow=true</c> waits for the first attempt before answering 202 with the job instead.</summary>
    public TimeSpan SendNowTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A <c>send_at</c> this far in the past is still taken as "now", allowing for clients' clock drift.</summary>
    public TimeSpan ClockTolerance { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the API waits for the saga to decide an update or cancel.</summary>
    public TimeSpan SagaTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 1000;
}
