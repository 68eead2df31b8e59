using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Outbox.Bus.Testing;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// The production topology on this machine: a fresh RabbitMQ virtual host and PostgreSQL database, the schema applied by
/// <c>Outbox.Bus.Worker migrate</c>, then API instances (<c>Roles=none</c>) and workers (<c>Roles=saga</c>,
/// <c>Roles=sender</c>) started from their built DLLs, sharing one data directory (the Data Protection key ring), and
/// accounts connected through the API with the SMTP sink as their server.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    public const string ClientId = "bench-app";
    public const string ClientSecret = "bench-secret-0123456789abcdef";

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    readonly BenchOptions _options;
    readonly List<ServiceProcess> _processes = [];
    readonly HttpClient _health = new() { Timeout = TimeSpan.FromSeconds(5) };
    RabbitMqVirtualHost? _vhost;
    PostgresDatabase? _database;

    Cluster(BenchOptions options, string outputDirectory, string apiDll, string workerDll)
    {
        _options = options;
        OutputDirectory = outputDirectory;
        ApiDll = apiDll;
        WorkerDll = workerDll;
    }

    public string OutputDirectory { get; }
    public string ApiDll { get; }
    public string WorkerDll { get; }
    public string DataDirectory => Path.Combine(OutputDirectory, "data");
    public IReadOnlyList<ServiceProcess> Processes => _processes;
    public IEnumerable<ServiceProcess> Apis => _processes.Where(p => p.Role == "api");
    public DatabaseProbe Database { get; private set; } = null!;
    public OutboxClient Client { get; private set; } = null!;
    public string VirtualHost => _vhost?.Name ?? "";
    public string DatabaseName => _database?.Name ?? "";
    public Dictionary<string, string> Environment { get; } = [];

    public static string FindDll(string repositoryRoot, string project, string configuration)
    {
        var dll = Path.Combine(repositoryRoot, "src", project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException(
                $"{dll} is missing: build first (dotnet build -c {configuration} Outbox.Bus.sln, or run the benchmark with dotnet run -c {configuration}).");
        return dll;
    }

    public static async Task<Cluster> StartAsync(BenchOptions options, string repositoryRoot, string outputDirectory, MailSink sink,
        Action<string> log)
    {
        var cluster = new Cluster(options, outputDirectory,
            FindDll(repositoryRoot, "Outbox.Bus.Api", options.Configuration),
            FindDll(repositoryRoot, "Outbox.Bus.Worker", options.Configuration));
        try
        {
            await cluster.StartCoreAsync(sink, log);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    async Task StartCoreAsync(MailSink sink, Action<string> log)
    {
        _vhost = await RabbitMqVirtualHost.CreateAsync("outbox-bench");
        _database = await PostgresDatabase.CreateAsync();
        Database = new DatabaseProbe(_database.ConnectionString);
        Directory.CreateDirectory(DataDirectory);
        log($"virtual host {_vhost.Name}, database {_database.Name}, data {DataDirectory}");

        Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        Environment["DOTNET_NOLOGO"] = "1";
        Environment["Transport__Kind"] = "RabbitMq";
        Environment["Transport__RabbitMq__Host"] = _vhost.Host;
        Environment["Transport__RabbitMq__Port"] = _vhost.Port.ToString(CultureInfo.InvariantCulture);
        Environment["Transport__RabbitMq__VirtualHost"] = _vhost.Name;
        Environment["Transport__RabbitMq__Username"] = _vhost.Username;
        Environment["Transport__RabbitMq__Password"] = _vhost.Password;
        if (_options.PrefetchCount is { } prefetch)
            Environment["Transport__RabbitMq__PrefetchCount"] = prefetch.ToString(CultureInfo.InvariantCulture);
        Environment["Storage__Provider"] = "PostgreSql";
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = _options.DatabasePoolSize };
        if (_options.DatabaseSslMode is { } sslMode)
            connectionString.SslMode = Enum.Parse<Npgsql.SslMode>(sslMode, ignoreCase: true);
        foreach (var (key, value) in _options.DatabaseOptions)
            connectionString[key] = value;
        Environment["ConnectionStrings__OutboxBus"] = connectionString.ConnectionString;
        Environment["Storage__MigrateOnStartup"] = "false";
        Environment["Storage__DataDirectory"] = DataDirectory;
        Environment["Applications__0__ClientId"] = ClientId;
        Environment["Applications__0__ClientSecret"] = ClientSecret;
        Environment["Logging__LogLevel__Default"] = "Warning";
        Environment["Outbox__QueryDelay"] = _options.QueryDelay;
        foreach (var (key, value) in _options.ExtraEnvironment)
            Environment[key] = value;

        var logs = Path.Combine(OutputDirectory, "logs");
        using (var migrate = ServiceProcess.Start("migrate", "migrate", WorkerDll, Environment, 0, logs, "migrate"))
            await migrate.WaitForExitAsync(StartTimeout);
        log("schema migrated");

        // The API first: connecting the accounts creates the Data Protection key that the senders need to read passwords.
        for (var i = 0; i < _options.ApiInstances; i++)
            _processes.Add(Start($"api-{i}", "api", ApiDll, "none", logs));
        await Task.WhenAll(Apis.Select(p => p.WaitReadyAsync(_health, StartTimeout)));
        log($"{_options.ApiInstances} API instance(s) ready");

        var accounts = new List<AccountToken>();
        using (var http = new HttpClient { BaseAddress = Apis.First().BaseAddress, Timeout = TimeSpan.FromSeconds(30) })
            for (var i = 0; i < _options.Accounts; i++)
                accounts.Add(await ConnectAsync(http, $"sender-{i}@bench.example.com", sink));
        Client = new OutboxClient(Apis.Select(a => a.BaseAddress), accounts);
        log($"{accounts.Count} account(s) connected to the SMTP sink at {sink.Host}:{sink.Port}");

        var workers = new List<ServiceProcess>();
        for (var i = 0; i < _options.SagaWorkers; i++)
            workers.Add(Start($"saga-{i}", "saga", WorkerDll, "saga", logs));
        for (var i = 0; i < _options.SenderWorkers; i++)
            workers.Add(Start($"sender-{i}", "sender", WorkerDll, "sender", logs));
        _processes.AddRange(workers);
        await Task.WhenAll(workers.Select(p => p.WaitReadyAsync(_health, StartTimeout)));
        log($"{_options.SagaWorkers} saga and {_options.SenderWorkers} sender worker(s) ready");
    }

    ServiceProcess Start(string name, string role, string dll, string roles, string logs)
    {
        var environment = new Dictionary<string, string>(Environment) { ["Roles"] = roles };
        return ServiceProcess.Start(name, role, dll, environment, FreeTcpPort.Next(), logs);
    }

    static async Task<AccountToken> ConnectAsync(HttpClient http, string email, MailSink sink)
    {
        using var authorize = await http.PostAsJsonAsync("connect/authorize", new
        {
            client_id = ClientId,
            name = "Bench Sender",
            email_address = email,
            provider = "imap",
            scopes = "email.send",
            settings = new
            {
                smtp_host = sink.Host,
                smtp_port = sink.Port,
                smtp_username = MailSink.Username,
                smtp_password = MailSink.Password,
                ssl_required = false,
                imap_host = sink.Host,
                imap_port = 143,
            },
        });
        var authorizeBody = await authorize.Content.ReadAsStringAsync();
        if (!authorize.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /connect/authorize answered {(int)authorize.StatusCode}: {authorizeBody}");
        var code = JsonNode.Parse(authorizeBody)!["code"]!.GetValue<string>();

        using var token = await http.PostAsJsonAsync("connect/token", new { client_id = ClientId, client_secret = ClientSecret, code });
        var tokenBody = await token.Content.ReadAsStringAsync();
        if (!token.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /connect/token answered {(int)token.StatusCode}: {tokenBody}");
        var json = JsonNode.Parse(tokenBody)!;
        return new AccountToken(json["account_id"]!.GetValue<string>(), email, json["access_token"]!.GetValue<string>());
    }

    /// <summary>The service's queues (name, messages, consumers, …) from the management API.</summary>
    public Task<JsonArray> GetQueuesAsync() => _vhost!.GetQueuesAsync();

    /// <summary>Throws with the log's tail if any service process has died: its figures would be meaningless.</summary>
    public void EnsureAlive()
    {
        foreach (var process in _processes)
            if (process.HasExited)
                throw new InvalidOperationException($"{process.Name} exited during the run.\n{process.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            process.Dispose();
        _processes.Clear();
        Client?.Dispose();
        _health.Dispose();
        if (_options.Keep)
            return;
        if (_vhost is not null)
        {
            try
            {
                await _vhost.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not delete the virtual host {_vhost.Name}: {e.Message}");
            }
        }
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
