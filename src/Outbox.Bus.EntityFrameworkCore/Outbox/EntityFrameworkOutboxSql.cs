using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The locking queries for <typeparamref name="TDbContext"/>, built once from its model (so custom table names and
/// schemas are honoured) and quoted by its provider's own SQL helper.
/// </summary>
sealed class EntityFrameworkOutboxSql<TDbContext>(IOptions<EntityFrameworkOutboxOptions<TDbContext>> options)
    where TDbContext : DbContext
{
    Statements? _statements;

    public Statements Get(TDbContext dbContext) => _statements ??= Build(dbContext, options.Value.LockStatementProvider);

    static Statements Build(DbContext dbContext, OutboxLockStatementProvider? provider)
    {
        provider ??= Detect(dbContext.Database.ProviderName);
        var sql = dbContext.GetService<ISqlGenerationHelper>();

        var inbox = Table<InboxState>(dbContext, sql);
        var state = Table<OutboxState>(dbContext, sql);
        var message = Table<OutboxMessage>(dbContext, sql);

        return new Statements(
            provider.LockInboxState(inbox.Name, inbox.Column(nameof(InboxState.MessageId)), inbox.Column(nameof(InboxState.ConsumerId))),
            provider.LockOutboxStates(state.Name, state.Column(nameof(OutboxState.Created))),
            provider.LockDueMessages(message.Name, message.Column(nameof(OutboxMessage.EnqueueTime)),
                message.Column(nameof(OutboxMessage.SequenceNumber))));
    }

    static OutboxLockStatementProvider Detect(string? providerName) =>
        providerName switch
        {
            "Npgsql.EntityFrameworkCore.PostgreSQL" => new PostgresOutboxLockStatementProvider(),
            "Microsoft.EntityFrameworkCore.SqlServer" => new SqlServerOutboxLockStatementProvider(),
            "Microsoft.EntityFrameworkCore.Sqlite" => new SqliteOutboxLockStatementProvider(),
            _ => throw new InvalidOperationException(
                $"The outbox has no locking queries for the EF Core provider '{providerName}'. Choose one with o.UsePostgres(), " +
                "o.UseSqlServer() or o.UseSqlite(), or set o.LockStatementProvider.")
        };

    static MappedTable Table<T>(DbContext dbContext, ISqlGenerationHelper sql)
    {
        var entityType = dbContext.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException(
                $"{typeof(T).Name} is not part of {dbContext.GetType().Name}'s model. Call modelBuilder.AddTransactionalOutboxEntities() " +
                "(or AddInboxStateEntity/AddOutboxMessageEntity/AddOutboxStateEntity) in OnModelCreating.");

        var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped to a table.");
        var schema = entityType.GetSchema();
        var table = StoreObjectIdentifier.Table(tableName, schema);

        return new MappedTable(sql.DelimitIdentifier(tableName, schema),
            property => sql.DelimitIdentifier(entityType.FindProperty(property)!.GetColumnName(table)!));
    }

    sealed record MappedTable(string Name, Func<string, string> Column);

    public sealed record Statements(string LockInboxState, string LockOutboxStates, string LockDueMessages);
}
