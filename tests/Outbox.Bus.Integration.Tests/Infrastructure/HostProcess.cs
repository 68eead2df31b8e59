using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Outbox.Bus.Integration.Tests.Infrastructure;

/// <summary>
/// The built Worker (<c>dotnet Outbox.Bus.Worker.dll</c>) as a child process, configured through environment variables
/// as a container would be. Its console output is kept for failure messages; it is killed with its whole process tree on
/// dispose, and when the test process itself exits.
/// </summary>
/// <remarks>
/// On Linux and macOS the process runs under a small <c>sh</c> watchdog that kills it when this test process goes away
/// (its standard input, a pipe from here, reaches end of file), so a crashed test run never leaves workers behind.
/// </remarks>
public sealed partial class HostProcess : IAsyncDisposable
{
    const int MaxLines = 20_000;

    // $0 is the dotnet host, "$@" its arguments. The worker reads nothing from stdin (it gets /dev/null); the watchdog
    // holds our pipe on fd 3 and kills the worker when the pipe closes. Exit code: the worker's own.
    const string Watchdog = """
        exec 3<&0
        "$0" "$@" </dev/null 3<&- &
        child=$!
        { cat >/dev/null; kill -9 "$child"; } <&3 >/dev/null 2>&1 &
        watchdog=$!
        exec 3<&-
        wait "$child"
        status=$?
        kill "$watchdog" 2>/dev/null
        exit "$status"
        """;

    static readonly ConcurrentDictionary<HostProcess, byte> Running = new();
    static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(5) };

    readonly Process _process;
    readonly Lock _gate = new();
    readonly List<string> _lines = [];
    readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Stopwatch _age = Stopwatch.StartNew();
    int _dropped;
    bool _killedByTest;
    int? _exitCode;

    static HostProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
            process.KillQuietly();
    };

    HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id { get; private set; }

    /// <summary>Where it listens (its health endpoints); known once it logged "Now listening on".</summary>
    public Uri? Url => _listening.Task.IsCompletedSuccessfully ? _listening.Task.Result : null;

    public bool HasExited => ExitCode is not null;

    /// <summary>Null while it runs; stays readable after dispose.</summary>
    public int? ExitCode
    {
        get
        {
            lock (_gate)
            {
                if (_exitCode is null && _process.HasExited)
                    _exitCode = _process.ExitCode;
                return _exitCode;
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
                return _lines.ToArray();
        }
    }

    /// <summary>Starts <c>dotnet &lt;assembly&gt; &lt;arguments&gt;</c>. Keys of <paramref name="settings"/> are configuration
    /// keys (<c>Storage:Provider</c>) and become environment variables (<c>Storage__Provider</c>).</summary>
    public static HostProcess Start(string name, string assembly, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> settings)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!, // the content root: appsettings.json is found there
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (OperatingSystem.IsWindows())
        {
            info.FileName = DotnetHost;
        }
        else
        {
            info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Watchdog);
            info.ArgumentList.Add(DotnetHost);
        }
        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);

        // Variables inherited from the test run must not configure the child behind the test's back.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.Contains("__", StringComparison.Ordinal))
                info.Environment.Remove(key);
        }
        foreach (var (key, value) in settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data is null ? null : "stderr: " + e.Data);
        process.Exited += (_, _) => host._listening.TrySetCanceled();

        if (!process.Start())
            throw new InvalidOperationException($"Could not start {info.FileName} for {name}");
        host.Id = process.Id;
        Running[host] = 0;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The <c>dotnet</c> that runs these tests, so the child runs on the same runtime.</summary>
    static string DotnetHost
    {
        get
        {
            var current = Environment.ProcessPath;
            if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
                return current;
            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        }
    }

    void OnLine(string? line)
    {
        if (line is null)
            return;
        var stamped = $"{_age.Elapsed.TotalSeconds,7:0.000}s {line}";
        lock (_gate)
        {
            if (_lines.Count >= MaxLines)
            {
                _lines.RemoveAt(0);
                _dropped++;
            }
            _lines.Add(stamped);
        }
        if (!_listening.Task.IsCompleted && ListeningPattern().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups[1].Value.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();

    /// <summary>How many output lines contain <paramref name="text"/>, e.g. a log message of a consumer.</summary>
    public int CountLines(string text)
    {
        lock (_gate)
            return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>Waits until the process listens and <c>/health/ready</c> answers 200 (bus connected, database migrated).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        Uri url;
        try
        {
            url = await _listening.Task.WaitAsync(cancellation.Token);
        }
        catch (OperationCanceledException exception)
        {
            var what = HasExited ? "exited before it listened" : $"did not report a listening address within {timeout.TotalSeconds:0}s";
            throw new InvalidOperationException($"{Name} {what} ({Status}).\n{Tail()}", exception);
        }

        string last = "no answer yet";
        while (!cancellation.IsCancellationRequested)
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited while starting ({Status}).\n{Tail()}");
            try
            {
                using var response = await Health.GetAsync(new Uri(url, "/health/ready"), cancellation.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellation.Token)}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }
            try
            {
                await Task.Delay(200, cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        throw new InvalidOperationException(
            $"{Name} was not ready within {timeout.TotalSeconds:0}s: GET {url}health/ready last answered '{last}' ({Status}).\n{Tail()}");
    }

    /// <summary>Waits for the process to end by itself (e.g. the <c>migrate</c> step) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0}s.\n{Tail()}");
        }
        Running.TryRemove(this, out _);
        return ExitCode!.Value;
    }

    /// <summary>Kills the process at once (SIGKILL, with its process tree): no graceful stop, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _killedByTest = true;
        KillQuietly();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Id}) did not die within 10 s of being killed");
        }
        Running.TryRemove(this, out _);
    }

    void KillQuietly()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public string Status
    {
        get
        {
            if (ExitCode is not { } code)
                return $"pid {Id}, running for {_age.Elapsed.TotalSeconds:0.0}s";
            return $"pid {Id}, exited with {code}{(_killedByTest ? " (killed by the test)" : code == 137 ? " (killed)" : "")}";
        }
    }

    /// <summary>The last <paramref name="count"/> output lines, headed by the process's name and state.</summary>
    public string Tail(int count = 60)
    {
        string[] lines;
        int total;
        lock (_gate)
        {
            total = _lines.Count + _dropped;
            lines = _lines.Skip(Math.Max(0, _lines.Count - count)).ToArray();
        }
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"----- {Name} ({Status}); last {lines.Length} of {total} output line(s) -----\n");
        foreach (var line in lines)
            text.Append(line).Append('\n');
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        KillQuietly();
        try
        {
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            // Kill was sent; a process that takes longer to die is the OS's business now.
        }
        _ = ExitCode; // keep it for Status and Tail after the process object is gone
        Running.TryRemove(this, out _);
        lock (_gate)
            _exitCode ??= -1;
        _process.Dispose(); // closes our end of its stdin: the watchdog's cue, should anything be left
    }
}
