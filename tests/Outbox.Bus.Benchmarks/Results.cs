using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks;

// The shape of results.json. Times are milliseconds where the name says Ms, seconds where it says Seconds.

public sealed record RunResult
{
    public required RunInfo Run { get; init; }
    public IReadOnlyList<BaselineResult> Baselines { get; init; } = [];
    public PhaseResult? Empty { get; set; }
    public ScaleResult? Scale { get; set; }
    public Dictionary<string, ProcessMemory> Memory { get; init; } = [];
    public Integrity? Integrity { get; set; }
    public List<TargetCheck> Targets { get; init; } = [];
    public List<string> Notes { get; init; } = [];
}

public sealed record RunInfo
{
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset Finished { get; set; }
    public double DurationSeconds { get; set; }
    public required bool Quick { get; init; }
    public required string CommandLine { get; init; }
    public string SourceRevision { get; init; } = "";
    public required MachineInfo Machine { get; init; }
    public required TopologyInfo Topology { get; init; }
    public string LoadAverageAtStart { get; init; } = "";
    public string LoadAverageAtEnd { get; set; } = "";
}

public sealed record MachineInfo(string Cpu, int Cores, double MemoryGiB, string Os, string Runtime, string PostgreSql, string RabbitMq);

public sealed record TopologyInfo(int ApiInstances, int SagaWorkers, int SenderWorkers, int Accounts, string Configuration, string QueryDelay,
    string PrefetchCount, int DatabasePoolSize, string DatabaseSslMode, IReadOnlyDictionary<string, string> ExtraEnvironment);

/// <summary>Scenarios 1–3 on one database state (the empty database, or with the pending jobs of scenario 4).</summary>
public sealed record PhaseResult
{
    public AcceptResult? AcceptClosed { get; set; }
    public AcceptResult? AcceptPaced { get; set; }
    public EndToEndResult? EndToEnd { get; set; }
    public PunctualityResult? Punctuality { get; set; }
    public long DatabaseSizeBytes { get; set; }
    public Dictionary<string, long> TableSizeBytes { get; set; } = [];
    public TableCounts? Rows { get; set; }
}

public sealed record AcceptResult(
    string Mode, int Concurrency, double? TargetRate, double DurationSeconds, int Requests, int Accepted, int Errors,
    IReadOnlyDictionary<string, int> ErrorsByStatus, int NotSentClientSaturated, double RequestsPerSecond, Distribution LatencyMs,
    IReadOnlyList<string> ErrorExamples, CpuUsage Cpu, DatabaseCounters Database, LoadSummary Load);

public sealed record EndToEndResult(
    int InFlight, double DurationSeconds, double WarmupSeconds, int Requested, int Accepted, int PostErrors, int Finished, int Unfinished,
    double JobsPerSecond, double JobsPerSecondOverall, Distribution LatencyMs, Distribution AcceptLatencyMs,
    double CommitsPerJob, double IdleCommitsPerSecond, double CommitsPerJobNetOfIdle, double RowsInsertedPerJob, double RowsUpdatedPerJob,
    double RowsDeletedPerJob, int SmtpConnectionsOpened, CpuUsage Cpu, IReadOnlyDictionary<string, double> CpuMsPerJob,
    LoadSummary Load, IReadOnlyList<string> ErrorExamples);

public sealed record PunctualityResult(
    int DuePerSecond, int Seconds, int Planned, int Created, int SkippedCreationTooLate, int CreateErrors, double CreationSeconds,
    double CreationRate, double LeadSeconds, int Received, int Unfinished, int Early, int Duplicates, Distribution LatenessSeconds,
    double LatenessFirstSecondP99, double LatenessLastSecondP99, double CommitsPerJob, int SmtpConnectionsOpened, CpuUsage Cpu,
    IReadOnlyDictionary<string, double> CpuMsPerJob, LoadSummary Load, double DrainSeconds);

public sealed record ScaleResult
{
    public required int PendingRequested { get; init; }
    public required string Via { get; init; }
    public double SeedSeconds { get; set; }
    public double SeedRowsPerSecond { get; set; }
    public bool SampleVerified { get; set; }
    public string SampleCheck { get; set; } = "";
    public long DatabaseSizeBeforeBytes { get; set; }
    public PhaseResult Phase { get; } = new();
}

public sealed record BaselineResult(string Name, string What, int Concurrency, double Seconds, long Operations, double PerSecond, Distribution LatencyMs);

public sealed record ProcessMemory(string Role, long PeakRssEmptyBytes, long PeakRssScaleBytes, long RssAtEndBytes, bool PeakWasReset);

public sealed record TargetCheck(string Target, string Actual, bool? Met, string Note);
