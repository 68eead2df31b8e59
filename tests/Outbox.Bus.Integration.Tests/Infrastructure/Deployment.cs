using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Integration.Tests.Infrastructure;

/// <summary>
/// Outbox.Bus deployed as in production, one per test: a fresh RabbitMQ virtual host and a fresh PostgreSQL database,
/// the <c>migrate</c> step, the API in this process with <c>Roles=none</c>, and workers as child processes of the built
/// Worker with the roles a test asks for, all sharing one data directory (the Data Protection key ring: the API encrypts
/// SMTP passwords, the senders decrypt them). A real SMTP server receives the mail. Dispose tears everything down.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    public const string ClientId = "integration-app";
    public const string ClientSecret = "integration-secret-0123456789";
    public const string SmtpUsername = "smtp-user";
    public const string SmtpPassword = "smtp-password-42";

    /// <summary>Generous on purpose: on a loaded two-core machine a worker's start-up (JIT, bus, database) can take long;
    /// the timeouts only decide how long a real failure takes to be reported.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    readonly ITestOutputHelper _output;
    readonly Lock _gate = new();
    readonly System.Diagnostics.Stopwatch _age = System.Diagnostics.Stopwatch.StartNew();
    readonly List<HostProcess> _processes = [];
    readonly Dictionary<string, string?> _settings;
    ApiHost? _api;
    bool _disposed;

    Deployment(ITestOutputHelper output, PostgresDatabase database, RabbitMqVirtualHost virtualHost, TestSmtpServer smtp,
        string dataDirectory, IReadOnlyDictionary<string, string?>? overrides)
    {
        _output = output;
        Database = database;
        VirtualHost = virtualHost;
        Smtp = smtp;
        DataDirectory = dataDirectory;
        // Each process has its own connection pool; keep them small so several processes (and other test projects)
        // stay well inside the server's max_connections.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 5, ApplicationName = "outbox-bus-integration-tests" }.ConnectionString;
        _settings = new Dictionary<string, string?>(virtualHost.Settings)
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:OutboxBus"] = connectionString,
            ["Storage:DataDirectory"] = dataDirectory,
            // Production migrates once, in its own step, before any host starts.
            ["Storage:MigrateOnStartup"] = "false",
            ["Applications:0:ClientId"] = ClientId,
            ["Applications:0:ClientSecret"] = ClientSecret,
            // Seconds instead of minutes: tests never sleep through real intervals.
            ["Jobs:FirstRetryInterval"] = "00:00:00.500",
            ["Jobs:RetryMultiplier"] = "2",
            ["Jobs:MaxRetryInterval"] = "00:00:02",
            ["Jobs:UpdateLockWindow"] = "00:00:01",
            ["Api:ClockTolerance"] = "00:00:05",
            ["Api:SagaTimeout"] = "00:01:00",
            ["Smtp:CommandTimeout"] = "00:00:10",
            ["Outbox:QueryDelay"] = "00:00:00.100",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public PostgresDatabase Database { get; }
    public RabbitMqVirtualHost VirtualHost { get; }
    public TestSmtpServer Smtp { get; }
    public string DataDirectory { get; }

    /// <summary>Configuration every host shares (transport, database, data directory, applications, short intervals).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public ApiHost Api => _api ?? throw new InvalidOperationException("The API is not started: call StartApi first");

    public IReadOnlyList<HostProcess> Processes
    {
        get
        {
            lock (_gate)
                return _processes.ToArray();
        }
    }

    /// <summary>Creates the virtual host, the database, the data directory and the SMTP server (which requires
    /// <see cref="SmtpUsername"/> / <see cref="SmtpPassword"/> unless <paramref name="smtp"/> says otherwise), then runs
    /// the migrate step. Start the API and workers next.</summary>
    public static async Task<Deployment> CreateAsync(ITestOutputHelper output, TestSmtpServerOptions? smtp = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "outbox-bus-integration", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDirectory);
        var database = PostgresDatabase.CreateAsync();
        var virtualHost = RabbitMqVirtualHost.CreateAsync();
        var server = TestSmtpServer.StartAsync(smtp ?? new TestSmtpServerOptions
        {
            Username = SmtpUsername,
            Password = SmtpPassword,
            AuthenticationRequired = true,
        });
        try
        {
            await Task.WhenAll(database, virtualHost, server);
        }
        catch
        {
            // Whatever was created must not outlive the failure.
            if (database.IsCompletedSuccessfully)
                await database.Result.DisposeAsync();
            if (virtualHost.IsCompletedSuccessfully)
                await virtualHost.Result.DisposeAsync();
            if (server.IsCompletedSuccessfully)
                await server.Result.DisposeAsync();
            TryDeleteDirectory(dataDirectory);
            throw;
        }

        var deployment = new Deployment(output, database.Result, virtualHost.Result, server.Result, dataDirectory, settings);
        try
        {
            await deployment.MigrateAsync();
            deployment.Milestone("migrated");
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
        return deployment;
    }

    /// <summary>Runs <c>Outbox.Bus.Worker.dll migrate</c> and requires exit code 0.</summary>
    async Task MigrateAsync()
    {
        var migrate = Launch("migrate", ["migrate"], new Dictionary<string, string?>());
        var exitCode = await migrate.WaitForExitAsync(StartTimeout);
        if (exitCode != 0)
            throw new InvalidOperationException($"The migrate step exited with {exitCode}.\n{migrate.Tail(200)}");
    }

    /// <summary>Starts the API in this process with <c>Roles=none</c> (production's API: it accepts and reads, workers do
    /// the rest) and waits until its host has started (bus included).</summary>
    public ApiHost StartApi(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var api = new Dictionary<string, string?>(_settings)
        {
            ["Roles"] = "none",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            api[key] = value;
        _api = new ApiHost(api);
        _ = _api.Server; // start now, so start-up failures surface here
        Milestone("API started");
        return _api;
    }

    /// <summary>Starts a worker child process with <paramref name="roles"/> (e.g. <c>saga</c>, <c>sender</c>,
    /// <c>all</c>) and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task<HostProcess> StartWorkerAsync(string name, string roles, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var extra = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Roles"] = roles };
        var worker = Launch(name, [], extra);
        await worker.WaitUntilReadyAsync(StartTimeout);
        Milestone($"{name} ({roles}) ready");
        return worker;
    }

    /// <summary>Starts several workers at once (as compose does) and waits until every one is ready.</summary>
    public async Task<HostProcess[]> StartWorkersAsync(params (string Name, string Roles)[] workers) =>
        await Task.WhenAll(workers.Select(w => StartWorkerAsync(w.Name, w.Roles)));

    HostProcess Launch(string name, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> extra)
    {
        var environment = new Dictionary<string, string?>(_settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            // Port 0: the OS picks a free port; the process logs which one ("Now listening on: …").
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "false",
            ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var (key, value) in extra)
            environment[key] = value;
        var process = HostProcess.Start(name, Repository.WorkerAssembly, arguments, environment);
        lock (_gate)
            _processes.Add(process);
        return process;
    }

    /// <summary>Writes a time-stamped line to the test's output (seconds since the deployment was created).</summary>
    public void Milestone(string what) => Log($"{_age.Elapsed.TotalSeconds,7:0.000}s {what}");

    /// <summary>Connects an account whose SMTP server is <see cref="Smtp"/>, with the credentials it requires.</summary>
    public Task<Account> ConnectAsync(string email = "sender@example.com") =>
        Api.ConnectAsync(Smtp, email, Smtp.Options.Username, Smtp.Options.Password);

    /// <summary>Polls the account's job list until every job in <paramref name="jobIds"/> has <paramref name="status"/>;
    /// returns the jobs. On timeout the message lists how many are in which status, and the processes' output.</summary>
    public async Task<IReadOnlyDictionary<string, JsonObject>> WaitForJobsAsync(Account account, IReadOnlyCollection<string> jobIds,
        string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyDictionary<string, JsonObject> jobs = new Dictionary<string, JsonObject>();
        while (true)
        {
            jobs = (await account.ListJobs()).Where(j => jobIds.Contains(j.Str("job_status_id"))).ToDictionary(j => j.Str("job_status_id"));
            if (jobs.Count == jobIds.Count && jobs.Values.All(j => j.Str("status") == status))
            {
                Milestone($"all {jobIds.Count} job(s) {status}");
                return jobs;
            }
            if (DateTime.UtcNow > deadline)
                break;
            await Task.Delay(250);
        }

        var summary = string.Join(", ", jobs.Values.GroupBy(j => j.Str("status")).Select(g => $"{g.Count()} {g.Key}"));
        var missing = jobIds.Count(id => !jobs.ContainsKey(id));
        var examples = string.Join("\n", jobs.Values.Where(j => j.Str("status") != status).Take(3).Select(j => j.ToJsonString()));
        throw new TimeoutException(
            $"After {timeout.TotalSeconds:0}s not all {jobIds.Count} jobs are '{status}': {summary}{(missing > 0 ? $", {missing} not listed" : "")}.\n" +
            $"{examples}\n{Describe()}");
    }

    /// <summary>Polls <c>GET /job-statuses/{id}</c> until it answers 200 (it does at once: the API answers from the job
    /// request until a saga takes the job).</summary>
    public async Task<JsonObject> WaitUntilVisibleAsync(Account account, string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await account.Http.GetAsync($"/job-statuses/{jobId}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode)
                return await response.ReadObject();
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {jobId} was not readable within {timeout.TotalSeconds:0}s; last answer: {last}\n{Describe()}");
    }

    /// <summary>What the deployment looks like now: the SMTP server's count and every process's last output lines.</summary>
    public string Describe(int lines = 40)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"SMTP server: {Smtp.Messages.Count} message(s) received, {Smtp.Rejected.Count} rejected, {Smtp.ConnectionCount} connection(s), {Smtp.Faults.Count} fault(s). ");
        text.Append(CultureInfo.InvariantCulture, $"Virtual host {VirtualHost.Name}, database {Database.Name}.\n");
        foreach (var process in Processes)
            text.Append(process.Tail(lines));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        // Nothing here may throw: an exception from DisposeAsync would replace the test's own failure.
        Milestone("tearing down");
        var processes = Processes;
        await Task.WhenAll(processes.Select(process => Quietly($"kill {process.Name}", () => process.DisposeAsync().AsTask())));
        foreach (var process in processes)
            await Quietly($"show the output of {process.Name}", () =>
            {
                Log(process.Tail(80));
                return Task.CompletedTask;
            });
        if (_api is not null)
            await Quietly("stop the API", () => _api.DisposeAsync().AsTask());
        await Quietly("stop the SMTP server", () => Smtp.DisposeAsync().AsTask());
        await Quietly($"delete the virtual host {VirtualHost.Name}", () => VirtualHost.DisposeAsync().AsTask());
        await Quietly($"drop the database {Database.Name}", () => Database.DisposeAsync().AsTask());
        TryDeleteDirectory(DataDirectory);
    }

    async Task Quietly(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception exception)
        {
            Log($"Could not {what}: {exception}");
        }
    }

    void Log(string text)
    {
        try
        {
            _output.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test has already finished reporting.
        }
    }

    static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A temporary directory; the OS cleans it eventually.
        }
    }
}
