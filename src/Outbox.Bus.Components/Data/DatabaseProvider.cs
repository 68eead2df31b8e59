namespace Outbox.Bus.Components.Data;

/// <summary>Which database the service runs on; configuration, never a code branch in handlers.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}
