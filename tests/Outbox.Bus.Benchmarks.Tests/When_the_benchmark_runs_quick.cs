using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Outbox.Bus.Benchmarks.Tests;

/// <summary>
/// CI smoke test of the benchmark: the built benchmark runs with <c>--quick</c> as a child process, against the same
/// RabbitMQ and PostgreSQL as the other tests, and its results.json must show that every job due during the run reached
/// the SMTP sink, none before its send_at and none twice. Speed is not asserted: CI machines differ and are shared.
/// </summary>
public sealed class When_the_benchmark_runs_quick(ITestOutputHelper output)
{
    // --quick finishes in under two minutes on an idle two-core machine; CI runs other test projects beside it.
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Should_finish_every_job_once_and_none_early()
    {
        var (repository, configuration) = Locate();
        var benchmark = Path.Combine(repository, "tests", "Outbox.Bus.Benchmarks", "bin", configuration, "net10.0", "Outbox.Bus.Benchmarks.dll");
        Assert.True(File.Exists(benchmark), $"The benchmark is not built: {benchmark}");
        var results = Path.Combine(Path.GetTempPath(), "outbox-bus-bench-smoke", Guid.NewGuid().ToString("n"));

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repository,
        };
        foreach (var argument in new[] { benchmark, "--quick", "--output", results, "--configuration", configuration })
            start.ArgumentList.Add(argument);

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The quick benchmark did not finish within {Timeout.TotalMinutes:0} minutes.\n{Tail(log)}");
            }
        }
        process.WaitForExit(); // drains the redirected output
        output.WriteLine(Tail(log, 60));

        var json = Path.Combine(results, "results.json");
        Assert.True(File.Exists(json), $"No results.json (exit code {process.ExitCode}).\n{Tail(log)}");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.True(document.RootElement.TryGetProperty("integrity", out var integrity) && integrity.ValueKind == JsonValueKind.Object,
            $"results.json has no integrity check: the run did not complete (exit code {process.ExitCode}).\n{Tail(log)}");

        var expected = integrity.GetProperty("jobsExpectedToFinish").GetInt32();
        var details = $"{integrity}\n{Tail(log)}";
        Assert.True(expected > 0, $"No job was due during the run.\n{details}");
        Assert.True(integrity.GetProperty("finished").GetInt32() == expected, $"Not every job finished.\n{details}");
        Assert.True(integrity.GetProperty("unfinished").GetInt32() == 0, $"Jobs left unfinished.\n{details}");
        Assert.True(integrity.GetProperty("early").GetInt32() == 0, $"Jobs sent before their send_at.\n{details}");
        Assert.True(integrity.GetProperty("duplicates").GetInt32() == 0, $"Jobs sent twice.\n{details}");

        try
        {
            Directory.Delete(results, recursive: true);
        }
        catch (IOException)
        {
            // Logs of a child that is still closing; the temporary directory is the OS's to clean.
        }
    }

    /// <summary>The repository root and the configuration this test was built in (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    static (string Repository, string Configuration) Locate()
    {
        var assembly = new DirectoryInfo(Path.GetDirectoryName(typeof(When_the_benchmark_runs_quick).Assembly.Location)!);
        var configuration = assembly.Parent?.Parent?.Name == "bin" ? assembly.Parent.Name : "Release";
        for (var directory = assembly; directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Outbox.Bus.sln")))
                return (directory.FullName, configuration);
        throw new InvalidOperationException($"Outbox.Bus.sln not found above {assembly.FullName}");
    }

    static string Tail(StringBuilder log, int lines = 40)
    {
        lock (log)
            return string.Join('\n', log.ToString().Split('\n').TakeLast(lines));
    }
}
