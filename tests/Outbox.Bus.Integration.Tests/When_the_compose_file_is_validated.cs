using System.Diagnostics;
using Outbox.Bus.Integration.Tests.Infrastructure;

namespace Outbox.Bus.Integration.Tests;

/// <summary><c>compose/docker-compose.yml</c> with <c>compose/.env.example</c>, checked by docker-compose itself (no Docker
/// engine needed: <c>config</c> only parses, interpolates and validates).</summary>
public sealed class When_the_compose_file_is_validated
{
    static readonly string[] ProductionServices =
        ["rabbitmq", "sqlserver", "smtp", "migrate", "api", "saga-worker", "sender-worker", "webhook-worker"];

    [Fact]
    public async Task Should_pass_docker_compose_config_validation()
    {
        var (exitCode, stdout, stderr) = await DockerComposeAsync("config", "-q");

        Assert.True(exitCode == 0, $"docker-compose config -q exited with {exitCode}.\nstderr: {stderr}\nstdout: {stdout}");
    }

    [Fact]
    public async Task Should_define_every_service_of_the_production_topology()
    {
        var (exitCode, stdout, stderr) = await DockerComposeAsync("config", "--services");

        Assert.True(exitCode == 0, $"docker-compose config --services exited with {exitCode}.\nstderr: {stderr}\nstdout: {stdout}");
        var services = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var missing = ProductionServices.Where(s => !services.Contains(s)).ToList();
        Assert.True(missing.Count == 0, $"Missing services [{string.Join(", ", missing)}]; the file defines [{string.Join(", ", services)}]");
    }

    /// <summary>Runs <c>docker-compose --env-file compose/.env.example -f compose/docker-compose.yml &lt;arguments&gt;</c>
    /// from the repository root.</summary>
    static async Task<(int ExitCode, string Stdout, string Stderr)> DockerComposeAsync(params string[] arguments)
    {
        var executable = FindOnPath("docker-compose");
        if (executable is null)
            Assert.Fail("docker-compose is not on PATH. Run ./test.sh, which installs it (the Debian package docker-compose), " +
                        "or install docker-compose 1.29 yourself.");

        var info = new ProcessStartInfo(executable!)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--env-file", "compose/.env.example", "-f", "compose/docker-compose.yml" }.Concat(arguments))
            info.ArgumentList.Add(argument);
        // The caller's shell must not change what the file means.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"docker-compose {string.Join(' ', arguments)} did not finish within 60 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, name))
        .FirstOrDefault(File.Exists);
}
