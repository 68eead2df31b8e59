using System.Diagnostics;

namespace Outbox.Bus.Benchmarks.Infrastructure;

/// <summary>
/// CPU seconds used during a scenario by each service process, the benchmark itself (load generator and SMTP sink),
/// PostgreSQL (every backend: other databases on the server count too) and RabbitMQ, and how busy the machine was.
/// </summary>
public sealed class CpuMeter
{
    readonly Func<IReadOnlyList<ServiceProcess>> _processes;

    public CpuMeter(Func<IReadOnlyList<ServiceProcess>> processes) => _processes = processes;

    public Snapshot Take()
    {
        var values = new Dictionary<string, double>();
        foreach (var process in _processes())
            if (process.CpuSeconds() is { } cpu)
                values[process.Name] = cpu;
        values["benchmark (client + sink)"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        values["postgres (all backends)"] = ProcStats.CpuSecondsOfCommand("postgres");
        values["rabbitmq (beam.smp)"] = ProcStats.CpuSecondsOfCommand("beam.smp");
        var (busy, total) = ProcStats.MachineCpu();
        return new Snapshot(values, busy, total, Stopwatch.GetTimestamp());
    }

    public sealed record Snapshot(IReadOnlyDictionary<string, double> Seconds, double MachineBusy, double MachineTotal, long Timestamp)
    {
        public CpuUsage Since(Snapshot before)
        {
            var wall = Stopwatch.GetElapsedTime(before.Timestamp, Timestamp).TotalSeconds;
            var perProcess = Seconds
                .Where(kv => before.Seconds.ContainsKey(kv.Key))
                .ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value - before.Seconds[kv.Key], 2));
            var total = MachineTotal - before.MachineTotal;
            var busyPercent = total > 0 ? Math.Round(100 * (MachineBusy - before.MachineBusy) / total, 1) : double.NaN;
            return new CpuUsage(Math.Round(wall, 2), busyPercent, perProcess);
        }
    }
}

/// <summary>CPU seconds per process over <see cref="WallSeconds"/>; <see cref="MachineBusyPercent"/> of all cores.</summary>
public sealed record CpuUsage(double WallSeconds, double MachineBusyPercent, IReadOnlyDictionary<string, double> CpuSeconds);
