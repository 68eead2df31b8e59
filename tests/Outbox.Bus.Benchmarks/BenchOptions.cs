using System.Globalization;

namespace Outbox.Bus.Benchmarks;

/// <summary>
/// Everything a run can be told on the command line. Defaults are the full run; <c>--quick</c> swaps in small ones so the
/// whole run (set-up included) stays under two minutes, and any option given explicitly wins over either.
/// </summary>
public sealed class BenchOptions
{
    public bool Quick { get; private set; }
    public string? OutputDirectory { get; private set; }
    public string? RepositoryRoot { get; private set; }
    public string Configuration { get; private set; } = DefaultConfiguration();

    // Topology.
    public int ApiInstances { get; private set; } = 1;
    public int SagaWorkers { get; private set; } = 1;
    public int SenderWorkers { get; private set; } = 1;
    public int Accounts { get; private set; } = 4;
    public List<KeyValuePair<string, string>> ExtraEnvironment { get; } = [];
    public string QueryDelay { get; private set; } = "00:00:01";
    public ushort? PrefetchCount { get; private set; }
    public int DatabasePoolSize { get; private set; } = 20;
    public string? DatabaseSslMode { get; private set; }
    public List<KeyValuePair<string, string>> DatabaseOptions { get; } = [];

    // Scenario 1: accept.
    public int AcceptSeconds { get; private set; } = 30;
    public int AcceptConcurrency { get; private set; } = 32;
    public int AcceptPacedSeconds { get; private set; } = 30;
    public int AcceptRate { get; private set; } = 500;

    // Scenario 2: end to end.
    public int EndToEndSeconds { get; private set; } = 60;
    public int EndToEndInFlight { get; private set; } = 128;
    public int EndToEndWarmupSeconds { get; private set; } = 5;

    // Scenario 3: punctuality.
    public int PunctualitySeconds { get; private set; } = 60;
    public int PunctualityRate { get; private set; } = 200;

    // Scenario 4: scale.
    public int Pending { get; private set; } = 1_000_000;
    public string PendingVia { get; private set; } = "sql";
    public bool SkipScale { get; private set; }

    // Scenario 5: baselines.
    public int BaselineSeconds { get; private set; } = 15;
    public int SmtpBaselineConnections { get; private set; } = 8;
    public int BusBaselinePublishers { get; private set; } = 32;
    public int DatabaseBaselineConnections { get; private set; } = 16;
    public bool SkipBaselines { get; private set; }

    // Bounds on waiting; generous, because a slow machine must not make a correct run look broken.
    public TimeSpan JobTimeout { get; private set; } = TimeSpan.FromSeconds(120);
    public TimeSpan DrainTimeout { get; private set; } = TimeSpan.FromSeconds(120);
    public TimeSpan StatsSettle { get; private set; } = TimeSpan.FromSeconds(11);

    public bool Keep { get; private set; }
    public bool SinkNagle { get; private set; }

    public static string Usage => """
        Outbox.Bus benchmark: dotnet run -c Release --project tests/Outbox.Bus.Benchmarks -- [options]

          --quick                      small counts, whole run under two minutes (CI smoke test)
          --output DIR                 where results.json, results.md and process logs go (default: a new temp directory)
          --configuration Debug|Release  which build of the API and worker to run (default: the benchmark's own)
          --api-instances N            API processes (Roles=none), default 1
          --saga-workers N             worker processes with Roles=saga, default 1
          --sender-workers N           worker processes with Roles=sender, default 1
          --accounts N                 connected accounts, jobs are spread over them, default 4
          --prefetch N                 Transport__RabbitMq__PrefetchCount for every process (default: the service's)
          --query-delay TIMESPAN       Outbox__QueryDelay for every process, default 00:00:01 (the service default)
          --db-pool N                  Maximum Pool Size of each service process's connection string, default 20
                                       (the server allows 100 connections in all; Npgsql's own default is 100 per process)
          --db-ssl-mode MODE           SSL Mode of the service connection strings (default: Npgsql's, Prefer: TLS when the server offers it)
          --db-option KEY=VALUE        any other Npgsql connection string keyword for the services (repeatable),
                                       e.g. --db-option "No Reset On Close=true" --db-option "Max Auto Prepare=64"
          --env KEY=VALUE              extra environment for every API/worker process (repeatable)
          --accept-seconds N  --accept-concurrency N  --accept-paced-seconds N  --accept-rate N
          --e2e-seconds N  --e2e-inflight N  --e2e-warmup-seconds N
          --punctuality-seconds N  --punctuality-rate N
          --pending N  --pending-via sql|api  --skip-scale
          --baseline-seconds N  --smtp-connections N  --bus-publishers N  --db-connections N  --skip-baselines
          --job-timeout SECONDS  --drain-timeout SECONDS
          --keep                       keep the database and virtual host afterwards
          --sink-nagle                 leave Nagle's algorithm on in the SMTP sink (TestSmtpServer's own behaviour: ~45 ms per message)

        The broker and database come from OUTBOX_TEST_RABBITMQ (amqp://guest:guest@127.0.0.1:5672/) and
        OUTBOX_TEST_POSTGRES (Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox), as for the tests.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
            options.ApplyQuickDefaults();

        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture) is var v && v >= 0 ? v : throw new ArgumentException($"{name} must be >= 0");

            switch (name)
            {
                case "--quick": break;
                case "--output": options.OutputDirectory = Value(); break;
                case "--repo": options.RepositoryRoot = Value(); break;
                case "--configuration" or "-c": options.Configuration = Value(); break;
                case "--api-instances": options.ApiInstances = Math.Max(1, Int()); break;
                case "--saga-workers": options.SagaWorkers = Math.Max(1, Int()); break;
                case "--sender-workers": options.SenderWorkers = Math.Max(1, Int()); break;
                case "--accounts": options.Accounts = Math.Max(1, Int()); break;
                case "--prefetch": options.PrefetchCount = checked((ushort)Int()); break;
                case "--db-pool": options.DatabasePoolSize = Math.Max(1, Int()); break;
                case "--db-ssl-mode": options.DatabaseSslMode = Value(); break;
                case "--query-delay": options.QueryDelay = TimeSpan.Parse(Value(), CultureInfo.InvariantCulture).ToString("c"); break;
                case "--db-option":
                    var option = Value();
                    var equals = option.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0) throw new ArgumentException("--db-option needs KEY=VALUE");
                    options.DatabaseOptions.Add(new(option[..equals], option[(equals + 1)..]));
                    break;
                case "--env":
                    var pair = Value();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) throw new ArgumentException("--env needs KEY=VALUE");
                    options.ExtraEnvironment.Add(new(pair[..eq], pair[(eq + 1)..]));
                    break;
                case "--accept-seconds": options.AcceptSeconds = Int(); break;
                case "--accept-concurrency": options.AcceptConcurrency = Math.Max(1, Int()); break;
                case "--accept-paced-seconds": options.AcceptPacedSeconds = Int(); break;
                case "--accept-rate": options.AcceptRate = Math.Max(1, Int()); break;
                case "--e2e-seconds": options.EndToEndSeconds = Int(); break;
                case "--e2e-inflight": options.EndToEndInFlight = Math.Max(1, Int()); break;
                case "--e2e-warmup-seconds": options.EndToEndWarmupSeconds = Int(); break;
                case "--punctuality-seconds": options.PunctualitySeconds = Int(); break;
                case "--punctuality-rate": options.PunctualityRate = Math.Max(1, Int()); break;
                case "--pending": options.Pending = Int(); break;
                case "--pending-via":
                    options.PendingVia = Value().ToLowerInvariant();
                    if (options.PendingVia is not ("sql" or "api")) throw new ArgumentException("--pending-via is sql or api");
                    break;
                case "--skip-scale": options.SkipScale = true; break;
                case "--baseline-seconds": options.BaselineSeconds = Math.Max(1, Int()); break;
                case "--smtp-connections": options.SmtpBaselineConnections = Math.Max(1, Int()); break;
                case "--bus-publishers": options.BusBaselinePublishers = Math.Max(1, Int()); break;
                case "--db-connections": options.DatabaseBaselineConnections = Math.Max(1, Int()); break;
                case "--skip-baselines": options.SkipBaselines = true; break;
                case "--job-timeout": options.JobTimeout = TimeSpan.FromSeconds(Math.Max(1, Int())); break;
                case "--drain-timeout": options.DrainTimeout = TimeSpan.FromSeconds(Math.Max(1, Int())); break;
                case "--keep": options.Keep = true; break;
                case "--sink-nagle": options.SinkNagle = true; break;
                default: throw new ArgumentException($"Unknown option {name}");
            }
        }
        return options;
    }

    void ApplyQuickDefaults()
    {
        Quick = true;
        AcceptSeconds = 5;
        AcceptConcurrency = 8;
        AcceptPacedSeconds = 4;
        AcceptRate = 50;
        EndToEndSeconds = 10;
        EndToEndInFlight = 16;
        EndToEndWarmupSeconds = 2;
        PunctualitySeconds = 8;
        PunctualityRate = 20;
        Pending = 5_000;
        BaselineSeconds = 2;
        SmtpBaselineConnections = 4;
        BusBaselinePublishers = 8;
        DatabaseBaselineConnections = 4;
        Accounts = 2;
        // The statistics collector of PostgreSQL flushes idle backends' counters within 10 s; a quick run only waits a
        // little, so its commits per job are approximate (documented in the report).
        StatsSettle = TimeSpan.FromSeconds(1.5);
    }

    /// <summary>The configuration this program was built in, from its own path (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    static string DefaultConfiguration()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return directory.Parent?.Name is { Length: > 0 } name && directory.Parent.Parent?.Name == "bin" ? name : "Release";
    }
}
