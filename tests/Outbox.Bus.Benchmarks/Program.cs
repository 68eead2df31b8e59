using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;
using Outbox.Bus.Benchmarks;
using Outbox.Bus.Benchmarks.Infrastructure;
using Outbox.Bus.Benchmarks.Scenarios;

// Outbox.Bus benchmark: see README.md next to this file. Exit codes: 0 the run completed and every job due in it arrived
// exactly once and on time or later; 2 it completed but that check failed; 1 it could not run; 64 bad arguments.

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

// Thousands of awaits are in flight at once; do not let the thread pool's slow start throttle the load generator.
ThreadPool.SetMinThreads(Math.Max(64, options.EndToEndInFlight), 64);

var clock = Stopwatch.StartNew();
var repository = options.RepositoryRoot ?? FindRepository();
var output = Path.GetFullPath(options.OutputDirectory
    ?? Path.Combine(Path.GetTempPath(), "outbox-bus-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)));
Directory.CreateDirectory(output);
var logFile = new StreamWriter(Path.Combine(output, "bench.log")) { AutoFlush = true };
var logGate = new Lock();
void Log(string line)
{
    var text = $"[{clock.Elapsed:mm\\:ss}] {line}";
    lock (logGate)
    {
        Console.WriteLine(text);
        logFile.WriteLine(text);
    }
}

var run = new RunResult
{
    Run = new RunInfo
    {
        Started = DateTimeOffset.UtcNow,
        Quick = options.Quick,
        CommandLine = "dotnet Outbox.Bus.Benchmarks.dll " + string.Join(' ', args),
        SourceRevision = await SourceRevisionAsync(repository),
        Machine = await MachineAsync(),
        Topology = new TopologyInfo(options.ApiInstances, options.SagaWorkers, options.SenderWorkers, options.Accounts, options.Configuration,
            options.QueryDelay, options.PrefetchCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "service default (32)",
            options.DatabasePoolSize, (options.DatabaseSslMode ?? "Npgsql default (Prefer)")
                + string.Concat(options.DatabaseOptions.Select(kv => $"; {kv.Key}={kv.Value}")), options.ExtraEnvironment.ToDictionary(kv => kv.Key, kv => kv.Value)),
        LoadAverageAtStart = ProcStats.LoadAverage(),
    },
};
Log($"Outbox.Bus benchmark{(options.Quick ? " (quick)" : "")}: output {output}");
Log($"machine: {run.Run.Machine.Cpu}, {run.Run.Machine.Cores} cores, load {run.Run.LoadAverageAtStart}");

var exitCode = 1;
Cluster? cluster = null;
MailSink? sink = null;
using var memorySampler = new CancellationTokenSource();
Task sampling = Task.CompletedTask;
// Children must not outlive an interrupted run.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.Error.WriteLine("Interrupted: stopping the service processes, deleting the database and virtual host.");
    try
    {
        cluster?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
    }
    catch (Exception exception)
    {
        Console.Error.WriteLine(exception.Message);
    }
    Environment.Exit(130);
};
try
{
    sink = await MailSink.StartAsync(noDelay: !options.SinkNagle);
    Log($"SMTP sink listening on {sink.Host}:{sink.Port} (TCP_NODELAY {(sink.NoDelay ? "on" : "off: the library's default")})");
    if (!options.SinkNagle && !sink.NoDelay)
        run.Notes.Add("Could not switch Nagle off in the SMTP sink: each message on a connection waits about 45 ms (see README).");

    if (!options.SkipBaselines)
    {
        var baselines = await Baselines.RunAsync(options, sink, Log);
        run = run with { Baselines = baselines };
    }

    cluster = await Cluster.StartAsync(options, repository, output, sink, Log);
    var ledger = new JobLedger();
    var context = new BenchContext(options, cluster, sink, ledger, Log);
    var activeCluster = cluster;
    sampling = Task.Run(async () =>
    {
        // Peak RSS comes from the kernel (VmHWM); sampling as well keeps a record if a process dies.
        while (!memorySampler.IsCancellationRequested)
        {
            foreach (var process in activeCluster.Processes)
                process.Memory();
            try { await Task.Delay(1000, memorySampler.Token); } catch (OperationCanceledException) { }
        }
    });

    await WarmUpAsync(context);
    run.Empty = await RunPhaseAsync(context, "empty", run);
    var emptyPeaks = cluster.Processes.ToDictionary(p => p.Name, p => p.Memory()?.PeakRss ?? p.PeakRssSeen);

    Dictionary<string, long>? scalePeaks = null;
    var peaksReset = false;
    if (!options.SkipScale && options.Pending > 0)
    {
        peaksReset = cluster.Processes.All(p => ProcStats.ResetPeak(p.Pid));
        var scale = new ScaleResult { PendingRequested = options.Pending, Via = options.PendingVia };
        run.Scale = scale;
        scale.DatabaseSizeBeforeBytes = await cluster.Database.SizeAsync();
        Log($"scale: seeding {options.Pending:N0} pending jobs ({options.PendingVia})");
        await PendingSeeder.RunAsync(context, scale);
        var phase = await RunPhaseAsync(context, "scale", run, includeEndToEnd: false);
        scale.Phase.AcceptClosed = phase.AcceptClosed;
        scale.Phase.AcceptPaced = phase.AcceptPaced;
        scale.Phase.Punctuality = phase.Punctuality;
        scale.Phase.DatabaseSizeBytes = phase.DatabaseSizeBytes;
        scale.Phase.Rows = phase.Rows;
        scale.Phase.TableSizeBytes = phase.TableSizeBytes;
        scalePeaks = cluster.Processes.ToDictionary(p => p.Name, p => p.Memory()?.PeakRss ?? 0);
    }

    foreach (var process in cluster.Processes)
        run.Memory[process.Name] = new ProcessMemory(process.Role, emptyPeaks.GetValueOrDefault(process.Name),
            scalePeaks?.GetValueOrDefault(process.Name) ?? 0, process.Memory()?.Rss ?? 0, peaksReset);

    // Anything that arrived for a job this run did not create through a request: find its send_at.
    await context.WaitForQuietAsync(TimeSpan.FromSeconds(60));
    var unknownSendAt = await SendAtOfUnknownAsync(cluster.Database.ConnectionString, sink.Receipts.Keys.Where(id => !ledger.TryGet(id, out _)));
    var missing = await ledger.FindMissingAsync(cluster.Database.ConnectionString);
    run.Integrity = ledger.Check(sink, unknownSendAt, missing);
    Log($"integrity: {run.Integrity.Finished}/{run.Integrity.JobsExpectedToFinish} finished, {run.Integrity.Unfinished} unfinished, " +
        $"{run.Integrity.Early} early, {run.Integrity.Duplicates} twice, {run.Integrity.Unexpected} unexpected, " +
        $"{run.Integrity.Lost} of {ledger.Count} accepted job(s) never reached the saga" +
        (missing.Count == 0 ? "" : $" ({string.Join(", ", missing.Select(kv => $"{kv.Key}: {kv.Value}"))})"));
    cluster.EnsureAlive();

    if (options.Quick)
        run.Notes.Add("--quick: small counts for the CI smoke test; the figures are not measurements.");
    if (options.StatsSettle < TimeSpan.FromSeconds(10))
        run.Notes.Add("Commit counts are approximate: PostgreSQL publishes idle backends' counters within 10 s and this run waited less.");
    run.Notes.Add("Pending jobs for scenario 4 were " + (options.PendingVia == "sql"
        ? "created by copying, in SQL, the two rows (SendJobs + scheduled SendDue in OutboxMessage) of template jobs accepted through the API (see README)."
        : "created through POST /v2/outbox."));
    exitCode = run.Integrity.Ok ? 0 : 2;
}
catch (Exception e)
{
    Log($"FAILED: {e}");
    run.Notes.Add($"The run failed: {e.GetType().Name}: {e.Message}");
    exitCode = 1;
}
finally
{
    await memorySampler.CancelAsync();
    await sampling;
    run.Run.Finished = DateTimeOffset.UtcNow;
    run.Run.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
    run.Run.LoadAverageAtEnd = ProcStats.LoadAverage();
    Report.EvaluateTargets(run, options);
    await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(run, Report.Json));
    var markdown = Report.Markdown(run);
    await File.WriteAllTextAsync(Path.Combine(output, "results.md"), markdown);
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (cluster is not null)
        await cluster.DisposeAsync();
    if (sink is not null)
        await sink.DisposeAsync();
    Log($"results: {Path.Combine(output, "results.json")} and results.md ({clock.Elapsed.TotalSeconds:0} s)");
    logFile.Dispose();
}
return exitCode;

static async Task<PhaseResult> RunPhaseAsync(BenchContext context, string label, RunResult run, bool includeEndToEnd = true)
{
    var options = context.Options;
    var phase = new PhaseResult();
    if (options.AcceptSeconds > 0)
        phase.AcceptClosed = await AcceptScenario.RunClosedAsync(context, $"{label}-accept", options.AcceptConcurrency,
            TimeSpan.FromSeconds(options.AcceptSeconds));
    if (options.AcceptPacedSeconds > 0)
    {
        // The API answers without waiting for the saga, so the closed loop leaves it a backlog; the paced run must not
        // share the CPU with that.
        await context.WaitForQuietAsync(TimeSpan.FromSeconds(300), before: $"{label}-accept-paced");
        phase.AcceptPaced = await AcceptScenario.RunPacedAsync(context, $"{label}-accept-paced", options.AcceptRate,
            TimeSpan.FromSeconds(options.AcceptPacedSeconds));
    }
    context.Cluster.EnsureAlive();
    if (includeEndToEnd && options.EndToEndSeconds > 0)
        phase.EndToEnd = await EndToEndScenario.RunAsync(context, $"{label}-e2e");
    context.Cluster.EnsureAlive();
    if (options.PunctualitySeconds > 0)
    {
        // The creation lead comes from this phase's measured accept rate (the empty phase's, if this one has none).
        var estimate = phase.AcceptClosed?.RequestsPerSecond ?? run.Empty?.AcceptClosed?.RequestsPerSecond ?? 50;
        var endToEnd = phase.EndToEnd?.JobsPerSecond ?? run.Empty?.EndToEnd?.JobsPerSecond ?? 20;
        phase.Punctuality = await PunctualityScenario.RunAsync(context, $"{label}-punctuality", estimate, endToEnd);
    }
    context.Cluster.EnsureAlive();
    phase.DatabaseSizeBytes = await context.Cluster.Database.SizeAsync();
    phase.Rows = await context.Cluster.Database.CountsAsync();
    phase.TableSizeBytes = await context.Cluster.Database.TableSizesAsync();
    context.Log($"{label}: database {phase.DatabaseSizeBytes / 1048576.0:0} MiB, jobs by state: " +
                string.Join(", ", phase.Rows.JobsByState.Select(kv => $"{kv.Key} {kv.Value:N0}")));
    return phase;
}

// JIT, connection pools, SMTP connections and queues warm before anything is measured; these jobs are checked like the rest.
static async Task WarmUpAsync(BenchContext context)
{
    var duration = TimeSpan.FromSeconds(context.Options.Quick ? 2 : 30);
    context.Log($"warm-up: {duration.TotalSeconds:0} s of scheduled and immediate jobs (not measured)");
    var watch = Stopwatch.StartNew();
    async Task Client(int c)
    {
        for (var i = 0; i < 100_000 && watch.Elapsed < duration; i++)
        {
            var immediate = c % 2 == 0;
            var sendAt = immediate ? (long?)null : BenchContext.FarSendAt(i);
            var requested = DateTimeOffset.UtcNow;
            var post = await context.Cluster.Client.PostAsync(sendAt, "warmup");
            if (!post.Accepted)
            {
                await Task.Delay(100);
                continue;
            }
            context.Ledger.Add(post.JobId!, "warmup", requested, sendAt, mustBeSent: immediate);
            if (!immediate)
                continue;
            try
            {
                await context.Sink.WhenReceived(post.JobId!).WaitAsync(context.Options.JobTimeout);
            }
            catch (TimeoutException)
            {
                // Reported by the integrity check at the end, like any job that never arrived.
                context.Log($"  warm-up job {post.JobId} did not arrive within {context.Options.JobTimeout.TotalSeconds:0} s");
                return;
            }
        }
    }
    await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() => Client(c))));
    await context.WaitForQuietAsync(TimeSpan.FromSeconds(30));
    context.Sink.ReleaseStoredMessages();
}

static async Task<Dictionary<string, long?>> SendAtOfUnknownAsync(string connectionString, IEnumerable<string> publicIds)
{
    var result = new Dictionary<string, long?>();
    var ids = publicIds.Take(10_000).ToList();
    if (ids.Count == 0)
        return result;
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    foreach (var id in ids)
    {
        await using var command = new NpgsqlCommand("SELECT \"SendAt\" FROM \"SendJobs\" WHERE \"CorrelationId\" = @id", connection);
        command.Parameters.AddWithValue("id", PublicIds.Parse(id));
        var value = await command.ExecuteScalarAsync();
        result[id] = value is DateTime sendAt ? new DateTimeOffset(DateTime.SpecifyKind(sendAt, DateTimeKind.Utc)).ToUnixTimeSeconds() : null;
    }
    return result;
}

// The commit the API and worker were built from, and how many files under src/ differ from it (or a REVISION file in a copy).
static async Task<string> SourceRevisionAsync(string repository)
{
    async Task<string?> Git(params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-C");
            start.ArgumentList.Add(repository);
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            return null;
        }
    }

    if (await Git("rev-parse", "--short", "HEAD") is { Length: > 0 } head)
    {
        var changed = (await Git("status", "--porcelain", "--", "src") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return changed == 0 ? head : $"{head} + {changed} uncommitted file(s) under src/";
    }
    var file = Path.Combine(repository, "REVISION");
    return File.Exists(file) ? (await File.ReadAllTextAsync(file)).Trim() : "unknown";
}

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "Outbox.Bus.sln")))
            return directory.FullName;
    throw new InvalidOperationException("Cannot find Outbox.Bus.sln above the benchmark; pass --repo <path>.");
}

static async Task<MachineInfo> MachineAsync()
{
    var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0;
    string postgres = "PostgreSQL", rabbit = "unknown";
    try
    {
        var server = Environment.GetEnvironmentVariable(Outbox.Bus.Testing.PostgresDatabase.Variable) is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox";
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Timeout = 5 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers') || ', synchronous_commit ' || current_setting('synchronous_commit')", connection);
        postgres = (string)(await command.ExecuteScalarAsync())!;
    }
    catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
    {
        postgres = $"PostgreSQL (unreachable: {e.Message})";
    }
    try
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        using var document = JsonDocument.Parse(await http.GetStringAsync("http://127.0.0.1:15672/api/overview"));
        rabbit = document.RootElement.GetProperty("rabbitmq_version").GetString() ?? "unknown";
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
    {
        rabbit = "unknown";
    }
    return new MachineInfo(ProcStats.CpuModel(), Environment.ProcessorCount, Math.Round(memory, 1), RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription, postgres, rabbit);
}
