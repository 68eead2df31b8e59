namespace Outbox.Bus.Integration.Tests.Infrastructure;

/// <summary>Where the repository and the built Worker are, found from this test assembly's own output path.</summary>
public static class Repository
{
    static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder that holds <c>Outbox.Bus.sln</c>.</summary>
    public static string Root => RootPath.Value;

    /// <summary><c>Debug</c> or <c>Release</c>: the folder above this assembly's target-framework folder
    /// (<c>bin/&lt;Configuration&gt;/net10.0/</c>), so the tests start the Worker built alongside them.</summary>
    public static string Configuration => OutputDirectory.Parent?.Name
        ?? throw new InvalidOperationException($"Cannot tell the build configuration from {AppContext.BaseDirectory}");

    public static string TargetFramework => OutputDirectory.Name;

    /// <summary>The built Worker, which the tests run as <c>dotnet Outbox.Bus.Worker.dll</c>.</summary>
    public static string WorkerAssembly
    {
        get
        {
            var path = Path.Combine(Root, "src", "Outbox.Bus.Worker", "bin", Configuration, TargetFramework, "Outbox.Bus.Worker.dll");
            if (!File.Exists(path))
                throw new InvalidOperationException(
                    $"The Worker is not built at {path}. Build it with this project (dotnet build tests/Outbox.Bus.Integration.Tests " +
                    $"-c {Configuration}, which builds src/Outbox.Bus.Worker first) or run ./test.sh.");
            return path;
        }
    }

    static DirectoryInfo OutputDirectory => new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Outbox.Bus.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No Outbox.Bus.sln in {AppContext.BaseDirectory} or any folder above it");
    }
}
