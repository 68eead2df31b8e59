namespace Outbox.Bus.EntityFrameworkCore;

/// <summary>
/// The three locking queries of the outbox, per database. Only where the lock goes and how the row count is limited
/// differ between databases; table and column names come from the application's model, already delimited for its
/// provider. Placeholders <c>{0}</c>, <c>{1}</c> are <c>FromSqlRaw</c> parameters.
/// Chosen with <c>o.UsePostgres()</c>, <c>o.UseSqlServer()</c> or <c>o.UseSqlite()</c>; detected from the DbContext's
/// provider when none is chosen.
/// </summary>
public abstract class OutboxLockStatementProvider
{
    /// <summary>Selects and row-locks one consumer's inbox mark: <c>{0}</c> = MessageId, <c>{1}</c> = ConsumerId.</summary>
    public abstract string LockInboxState(string table, string messageIdColumn, string consumerIdColumn);

    /// <summary>
    /// Selects and locks the oldest bus-outbox batches, skipping those another instance holds: <c>{0}</c> = how many.
    /// </summary>
    public abstract string LockOutboxStates(string table, string createdColumn);

    /// <summary>
    /// Selects and locks due scheduled messages, earliest first, skipping those another instance holds:
    /// <c>{0}</c> = now (UTC), <c>{1}</c> = how many.
    /// </summary>
    public abstract string LockDueMessages(string table, string enqueueTimeColumn, string sequenceNumberColumn);
}

/// <summary>PostgreSQL: <c>FOR UPDATE</c>, and <c>SKIP LOCKED</c> so that instances share the work instead of queueing.</summary>
public sealed class PostgresOutboxLockStatementProvider : OutboxLockStatementProvider
{
    public override string LockInboxState(string table, string messageIdColumn, string consumerIdColumn) =>
        $"SELECT * FROM {table} WHERE {messageIdColumn} = {{0}} AND {consumerIdColumn} = {{1}} FOR UPDATE";

    public override string LockOutboxStates(string table, string createdColumn) =>
        $"SELECT * FROM {table} ORDER BY {createdColumn} LIMIT {{0}} FOR UPDATE SKIP LOCKED";

    public override string LockDueMessages(string table, string enqueueTimeColumn, string sequenceNumberColumn) =>
        $"SELECT * FROM {table} WHERE {enqueueTimeColumn} <= {{0}} ORDER BY {enqueueTimeColumn}, {sequenceNumberColumn} LIMIT {{1}} FOR UPDATE SKIP LOCKED";
}

/// <summary>SQL Server: update locks held to the end of the transaction; <c>READPAST</c> skips rows other instances hold.</summary>
public sealed class SqlServerOutboxLockStatementProvider : OutboxLockStatementProvider
{
    public override string LockInboxState(string table, string messageIdColumn, string consumerIdColumn) =>
        $"SELECT * FROM {table} WITH (UPDLOCK, ROWLOCK) WHERE {messageIdColumn} = {{0}} AND {consumerIdColumn} = {{1}}";

    public override string LockOutboxStates(string table, string createdColumn) =>
        $"SELECT TOP ({{0}}) * FROM {table} WITH (UPDLOCK, ROWLOCK, READPAST) ORDER BY {createdColumn}";

    public override string LockDueMessages(string table, string enqueueTimeColumn, string sequenceNumberColumn) =>
        $"SELECT TOP ({{1}}) * FROM {table} WITH (UPDLOCK, ROWLOCK, READPAST) WHERE {enqueueTimeColumn} <= {{0}} ORDER BY {enqueueTimeColumn}, {sequenceNumberColumn}";
}

/// <summary>
/// SQLite has no row locks and a single writer: the outbox's transactions start as <c>BEGIN IMMEDIATE</c> (what
/// Microsoft.Data.Sqlite does for every non-deferred transaction), which takes the database's write lock up front, so
/// the plain queries below are already exclusive.
/// </summary>
public sealed class SqliteOutboxLockStatementProvider : OutboxLockStatementProvider
{
    public override string LockInboxState(string table, string messageIdColumn, string consumerIdColumn) =>
        $"SELECT * FROM {table} WHERE {messageIdColumn} = {{0}} AND {consumerIdColumn} = {{1}}";

    public override string LockOutboxStates(string table, string createdColumn) =>
        $"SELECT * FROM {table} ORDER BY {createdColumn} LIMIT {{0}}";

    public override string LockDueMessages(string table, string enqueueTimeColumn, string sequenceNumberColumn) =>
        $"SELECT * FROM {table} WHERE {enqueueTimeColumn} <= {{0}} ORDER BY {enqueueTimeColumn}, {sequenceNumberColumn} LIMIT {{1}}";
}
