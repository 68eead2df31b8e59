using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

public static class SagaClassMapModelBuilderExtensions
{
    /// <summary>Adds the saga mapped by <paramref name="map" /> to the model; call it from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder ApplySagaClassMap(this ModelBuilder modelBuilder, ISagaClassMap map)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentNullException.ThrowIfNull(map);

        map.Configure(modelBuilder);
        return modelBuilder;
    }

    public static ModelBuilder ApplySagaClassMaps(this ModelBuilder modelBuilder, params IEnumerable<ISagaClassMap> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);

        foreach (var map in maps)
            modelBuilder.ApplySagaClassMap(map);
        return modelBuilder;
    }
}
