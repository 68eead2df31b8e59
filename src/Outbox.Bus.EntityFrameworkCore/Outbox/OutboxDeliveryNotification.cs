using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Wakes this process's delivery service as soon as something here committed outbox or scheduled rows, so delivery does
/// not wait for the next poll. A wake-up that arrives while the service is busy is remembered, not lost.
/// </summary>
sealed class OutboxDeliveryNotification<TDbContext>
    where TDbContext : DbContext
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one pending wake-up is as good as many.
        }
    }

    /// <summary>Waits for a wake-up or the timeout; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
