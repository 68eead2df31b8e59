using System.Diagnostics;

namespace Outbox.Bus.Components.Tests.Infrastructure;

/// <summary>Waits on conditions instead of sleeping through intervals.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task<T> Get<T>(Func<T?> probe, string what, TimeSpan? timeout = null, Func<string>? describe = null)
        where T : class
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            if (probe() is { } value)
                return value;
            if (stopwatch.Elapsed > limit)
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.{(describe is null ? "" : " " + describe())}");
            await Task.Delay(PollInterval);
        }
    }

    public static Task True(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null) =>
        Get(() => condition() ? "" : null, what, timeout, describe);

    /// <summary>Asserts that <paramref name="condition"/> stays false for the whole of <paramref name="period"/>.</summary>
    public static async Task Never(Func<bool> condition, TimeSpan period, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < period)
        {
            Assert.False(condition(), $"Unexpected: {what} (after {stopwatch.Elapsed.TotalMilliseconds:0} ms)");
            await Task.Delay(PollInterval);
        }
        Assert.False(condition(), $"Unexpected: {what} (after {stopwatch.Elapsed.TotalMilliseconds:0} ms)");
    }
}
