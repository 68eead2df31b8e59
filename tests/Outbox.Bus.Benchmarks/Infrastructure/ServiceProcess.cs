using System.Diagnostics;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// One API or worker process: <c>dotnet &lt;built dll&gt;</c> with its configuration in environment variables, its output in
/// a log file, its readiness from <c>/health/ready</c>. Killed (with anything it started) on dispose.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    readonly Process _process;
    readonly LogFile _log;

    ServiceProcess(string name, string role, Process process, LogFile log, string logPath, int port)
    {
        Name = name;
        Role = role;
        _process = process;
        _log = log;
        LogPath = logPath;
        Port = port;
    }

    public string Name { get; }
    public string Role { get; }
    public int Port { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public long PeakRssSeen { get; private set; }

    public static ServiceProcess Start(string name, string role, string dll, IReadOnlyDictionary<string, string> environment, int port,
        string logDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root is the working directory: appsettings.json sits next to the DLL.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        if (port > 0)
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new LogFile(logPath);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {name}: dotnet {dll}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, role, process, log, logPath, port);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails early, with the log's tail, if the process exits.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        string? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready.\n{Tail()}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "health/ready"));
                if (response.IsSuccessStatusCode)
                    return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s (last answer: {last}).\n{Tail()}");
    }

    /// <summary>Waits for a one-off command (migrate) to finish; throws with the log's tail unless it exits with 0.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Dispose();
            throw new TimeoutException($"{Name} did not finish within {timeout.TotalSeconds:0} s.\n{Tail()}");
        }
        if (_process.ExitCode != 0)
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}.\n{Tail()}");
    }

    public (long Rss, long PeakRss)? Memory()
    {
        var memory = _process.HasExited ? null : ProcStats.Memory(Pid);
        if (memory is { } m && m.PeakRss > PeakRssSeen)
            PeakRssSeen = m.PeakRss;
        return memory;
    }

    public double? CpuSeconds() => _process.HasExited ? null : ProcStats.CpuSeconds(Pid);

    public string Tail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- last lines of {LogPath} ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return $"(no log at {LogPath})";
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _log.Dispose();
    }

    /// <summary>The process's output; lines that arrive after it is closed are dropped.</summary>
    sealed class LogFile(string path) : IDisposable
    {
        readonly Lock _gate = new();
        readonly StreamWriter _writer = new(path, append: false) { AutoFlush = true };
        bool _closed;

        public void Write(string? line)
        {
            if (line is null)
                return;
            lock (_gate)
                if (!_closed)
                    _writer.WriteLine(line);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _closed = true;
                _writer.Dispose();
            }
        }
    }
}
