using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// Maps one saga type into an application's <see cref="DbContext" /> model. Apply it from
/// <c>OnModelCreating</c> with <see cref="SagaClassMapModelBuilderExtensions.ApplySagaClassMap" />.
/// </summary>
public interface ISagaClassMap
{
    Type SagaType { get; }

    void Configure(ModelBuilder modelBuilder);
}
