using System.ComponentModel.DataAnnotations;

namespace Outbox.Bus.Components;

/// <summary>The timing rules of a send job. Defaults are the Nylas guide's; tests shrink them to seconds.</summary>
public sealed class SendJobOptions
{
    public const string Section = "Jobs";

    /// <summary>Updates are refused this close to <c>send_at</c>.</summary>
    public TimeSpan UpdateLockWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>retry_limit_datetime</c> when the client gives none: this long after <c>send_at</c>.</summary>
    public TimeSpan DefaultRetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The latest <c>retry_limit_datetime</c> a client may ask for, after <c>send_at</c>.</summary>
    public TimeSpan MaxRetryWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The wait after the first failed attempt; each later wait is <see cref="RetryMultiplier"/> times longer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1.0, 10.0)]
    public double RetryMultiplier { get; set; } = 2;

    /// <summary>Once the growing wait would pass this, attempts come at this interval (hourly, per the guide).</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// An attempt that has not reported back by then is taken as a transient failure and retried. No transport is
    /// trusted with a job's progress: an in-memory bus loses what it holds when the process dies.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether a fallback service (SendGrid) is connected; set from its configuration at start-up.</summary>
    public bool FallbackEnabled { get; set; }

    /// <summary>With a fallback, the provider gets this many attempts before the message goes to the fallback.</summary>
    [Range(1, 100)]
    public int AttemptsBeforeFallback { get; set; } = 5;

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1, after that many failures.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var factor = Math.Pow(RetryMultiplier, Math.Max(0, failedAttempts - 1));
        var ticks = FirstRetryInterval.Ticks * factor;
        return ticks >= MaxRetryInterval.Ticks ? MaxRetryInterval : TimeSpan.FromTicks((long)ticks);
    }
}
