using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components;

public static class OutboxBusStartup
{
    /// <summary>Migrates when <c>Storage:MigrateOnStartup</c> says so (the embedded default); production migrates once,
    /// in its own step, before any host starts.</summary>
    public static async Task MigrateOnStartupAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        if (services.GetRequiredService<IOptions<StorageOptions>>().Value.MigrateOnStartup)
            await services.MigrateOutboxBusDatabaseAsync(cancellationToken);
    }
}
