using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Outbox.Bus.EntityFrameworkCore;

static class SagaModelCheck<TSaga>
    where TSaga : class, ISaga
{
    static readonly ConditionalWeakTable<IModel, object> Checked = new();
    static readonly object Valid = new();

    // Without a concurrency token an optimistic repository silently loses concurrent updates, and a saga missing from
    // the model fails deep inside EF Core; both are configuration mistakes, so they fail the first message loudly instead.
    public static void EnsureMapped(DbContext dbContext)
    {
        var model = dbContext.Model;
        if (Checked.TryGetValue(model, out _))
            return;

        var entityType = model.FindEntityType(typeof(TSaga)) ?? throw new InvalidOperationException(
            $"{typeof(TSaga).Name} is not part of the model of {dbContext.GetType().Name}. Map it with a SagaClassMap<{typeof(TSaga).Name}> " +
            "applied in OnModelCreating (modelBuilder.ApplySagaClassMap(...)).");

        if (!entityType.GetProperties().Any(p => p.IsConcurrencyToken))
        {
            throw new InvalidOperationException(
                $"{typeof(TSaga).Name} has no concurrency token in {dbContext.GetType().Name}, so concurrent updates would overwrite each other. " +
                $"Implement {nameof(ISagaVersion)} and map the saga with a SagaClassMap<{typeof(TSaga).Name}>, which makes Version the token.");
        }

        Checked.AddOrUpdate(model, Valid);
    }
}
