using System.Diagnostics;

namespace Outbox.Bus.EntityFrameworkCore.Tests.TransactionalOutbox;

/// <summary>Waits on conditions instead of sleeping through fixed intervals.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        await True(() => Task.FromResult(condition()), what, timeout, describe);
    }

    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (!await condition())
        {
            if (stopwatch.Elapsed > limit)
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.{(describe is null ? "" : " " + describe())}");
            await Task.Delay(PollInterval);
        }
    }

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
