using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Tracking;

/// <summary>
/// The signing key for tracking tokens. The first process that needs it creates it; every other one reads the same row,
/// so the API verifies what any sender signed. Kept in memory once read: it never changes.
/// </summary>
public sealed class TrackingKeys(IServiceScopeFactory scopes, IDataProtectionProvider dataProtection, TimeProvider clock,
    ILogger<TrackingKeys> logger)
{
    /// <summary>The Data Protection purpose; changing it makes the stored key, and so every sent token, unreadable.</summary>
    public const string Purpose = "Outbox.Bus.Tracking.SigningKey.v1";

    readonly SemaphoreSlim _gate = new(1, 1);
    byte[]? _key;

    public async ValueTask<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is { } key)
            return key;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // A failure is not cached: the next caller tries again (the database may be back by then).
            return _key ??= await LoadOrCreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var protector = dataProtection.CreateProtector(Purpose);
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OutboxBusDbContext>();
            var stored = await db.TrackingKeys.AsNoTracking()
                .Where(k => k.Id == TrackingKey.Current).Select(k => k.ProtectedKey)
                .SingleOrDefaultAsync(cancellationToken);
            if (stored is not null)
                return Convert.FromBase64String(protector.Unprotect(stored));

            var key = RandomNumberGenerator.GetBytes(32);
            db.TrackingKeys.Add(new TrackingKey
            {
                Id = TrackingKey.Current,
                ProtectedKey = protector.Protect(Convert.ToBase64String(key)),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                logger.LogInformation("Created the tracking signing key");
                return key;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another process created it at the same moment: read theirs, so all agree on one key.
            }
        }
    }
}
