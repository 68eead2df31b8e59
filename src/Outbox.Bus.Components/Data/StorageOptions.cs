namespace Outbox.Bus.Components.Data;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where the embedded default keeps its database, keys and pickup files; relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The database; its connection string is <c>ConnectionStrings:OutboxBus</c> (SQLite defaults to a file here).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Whether a host applies migrations when it starts; production runs the <c>migrate</c> step instead.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Set at start-up from <see cref="DataDirectory"/> and the host's content root.</summary>
    public string DataDirectoryPath { get; set; } = Path.GetFullPath("data");
}
