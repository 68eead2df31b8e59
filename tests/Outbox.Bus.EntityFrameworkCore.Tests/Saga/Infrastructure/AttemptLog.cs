using System.Collections.Concurrent;

namespace Outbox.Bus.EntityFrameworkCore.Tests.Saga.Infrastructure;

/// <summary>Every time the saga ran a message, with the retry attempt it was on (0 = first delivery).</summary>
public sealed class AttemptLog
{
    readonly ConcurrentQueue<(string Message, Guid CorrelationId, int Attempt)> _entries = new();

    public void Record<T>(Guid correlationId, int attempt) => _entries.Enqueue((typeof(T).Name, correlationId, attempt));

    public IReadOnlyList<int> Attempts<T>(Guid correlationId) =>
        _entries.Where(e => e.Message == typeof(T).Name && e.CorrelationId == correlationId).Select(e => e.Attempt).ToList();

    public int Retries => _entries.Count(e => e.Attempt > 0);
}
