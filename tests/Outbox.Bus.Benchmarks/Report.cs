using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outbox.Bus.Benchmarks;

/// <summary>results.json, the target checks, and the Markdown tables of results.md.</summary>
public static class Report
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void EvaluateTargets(RunResult run, BenchOptions options)
    {
        var targets = run.Targets;
        var empty = run.Empty;
        var note = options.Quick ? "quick run: small counts, not a measurement" : "";

        if (empty?.EndToEnd is { } e2e)
        {
            targets.Add(new TargetCheck("End to end ≥ 300 jobs/s sustained", $"{F(e2e.JobsPerSecond)} jobs/s", e2e.JobsPerSecond >= 300, note));
        }

        foreach (var (label, phase) in Phases(run))
        {
            if (phase.Punctuality is not { } p)
                continue;
            var at = p.DuePerSecond == 200 ? "" : $" (run at {p.DuePerSecond} due/s, target is at 200)";
            targets.Add(new TargetCheck($"Punctuality p99 ≤ 1 s at 200 due/s, {label}", $"{F(p.LatenessSeconds.P99, "0.000")} s{at}",
                p.LatenessSeconds.P99 <= 1 && p.Unfinished == 0, Join(note, p.Unfinished > 0 ? $"{p.Unfinished} never arrived" : "")));
            targets.Add(new TargetCheck($"Punctuality p99.9 ≤ 2 s at 200 due/s, {label}", $"{F(p.LatenessSeconds.P999, "0.000")} s{at}",
                p.LatenessSeconds.P999 <= 2 && p.Unfinished == 0, note));
            targets.Add(new TargetCheck($"Punctuality: zero early sends, {label}", $"{p.Early} early", p.Early == 0, ""));
        }

        foreach (var (label, phase) in Phases(run))
        {
            if (phase.AcceptPaced is not { } a)
                continue;
            var achieved = a.RequestsPerSecond >= 0.98 * (a.TargetRate ?? 0) && a.Errors == 0;
            var at = a.TargetRate == 500 ? "" : $" (run at {a.TargetRate}/s, target is at 500)";
            targets.Add(new TargetCheck($"Accept p99 ≤ 50 ms at 500 requests/s, {label}",
                $"p99 {F(a.LatencyMs.P99)} ms at {F(a.RequestsPerSecond)}/s, {a.Errors} error(s){at}",
                a.LatencyMs.P99 <= 50 && achieved, Join(note, achieved ? "" : "the offered rate was not sustained without errors")));
        }

        if (empty is not null && run.Scale?.Phase is { } scale)
        {
            var pending = $"{run.Scale.PendingRequested:N0} pending";
            void Compare(string figure, double emptyValue, double scaleValue, bool higherIsBetter, string unit)
            {
                if (double.IsNaN(emptyValue) || double.IsNaN(scaleValue))
                    return;
                var ratio = emptyValue == 0 ? double.NaN : scaleValue / emptyValue;
                var met = higherIsBetter ? scaleValue >= 0.9 * emptyValue : scaleValue <= 1.1 * emptyValue;
                targets.Add(new TargetCheck($"{pending}: {figure} within 10 % of empty",
                    $"{F(scaleValue, "0.###")} {unit} vs {F(emptyValue, "0.###")} {unit} ({(double.IsNaN(ratio) ? "n/a" : ratio.ToString("0.00×", CultureInfo.InvariantCulture))})",
                    met, note));
            }
            if (empty.AcceptClosed is { } ec && scale.AcceptClosed is { } sc)
            {
                Compare("accept requests/s (closed)", ec.RequestsPerSecond, sc.RequestsPerSecond, true, "/s");
                Compare("accept p99 (closed)", ec.LatencyMs.P99, sc.LatencyMs.P99, false, "ms");
            }
            if (empty.AcceptPaced is { } ep && scale.AcceptPaced is { } sp)
            {
                Compare("accept requests/s (paced)", ep.RequestsPerSecond, sp.RequestsPerSecond, true, "/s");
                Compare("accept p99 (paced)", ep.LatencyMs.P99, sp.LatencyMs.P99, false, "ms");
            }
            if (empty.Punctuality is { } et && scale.Punctuality is { } st)
            {
                Compare("punctuality p99", et.LatenessSeconds.P99, st.LatenessSeconds.P99, false, "s");
                Compare("punctuality p99.9", et.LatenessSeconds.P999, st.LatenessSeconds.P999, false, "s");
            }
        }

        if (run.Integrity is { } integrity)
        {
            targets.Add(new TargetCheck("Every job due in the run finished, none early, none twice",
                $"{integrity.Finished}/{integrity.JobsExpectedToFinish} finished, {integrity.Early} early, {integrity.Duplicates} twice, " +
                $"{integrity.Unexpected} unexpected", integrity.JobsExpectedToFinish > 0 && integrity.Unfinished == 0 && integrity.Early == 0 && integrity.Duplicates == 0, ""));
            targets.Add(new TargetCheck("Every job answered 202 exists (a 202 means durable)",
                $"{integrity.Lost} lost" + (integrity.Lost == 0 ? "" : $" ({string.Join(", ", integrity.LostByScenario.Select(kv => $"{kv.Key}: {kv.Value}"))})"),
                integrity.Lost == 0, integrity.Lost == 0 ? "" : "accepted, then never reached the saga: see README, ScheduleSend time-to-live"));
        }
    }

    static IEnumerable<(string Label, PhaseResult Phase)> Phases(RunResult run)
    {
        if (run.Empty is not null)
            yield return ("empty database", run.Empty);
        if (run.Scale is not null)
            yield return ($"{run.Scale.PendingRequested:N0} pending", run.Scale.Phase);
    }

    public static string Markdown(RunResult run)
    {
        var md = new StringBuilder();
        var info = run.Run;
        var m = info.Machine;
        var t = info.Topology;
        md.AppendLine(CultureInfo.InvariantCulture, $"### Outbox.Bus benchmark, {info.Started:yyyy-MM-dd HH:mm} UTC{(info.Quick ? " (--quick)" : "")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB:0} GiB, {m.Os}; {m.Runtime}; {m.PostgreSql}; RabbitMQ {m.RabbitMq}; everything co-located.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) at start {info.LoadAverageAtStart}, at end {info.LoadAverageAtEnd}; run took {info.DurationSeconds:0} s.");
        var extra = t.ExtraEnvironment.Count == 0 ? "" : "; " + string.Join(", ", t.ExtraEnvironment.Select(kv => $"{kv.Key}={kv.Value}"));
        md.AppendLine(CultureInfo.InvariantCulture, $"- Topology: {t.ApiInstances} API (Roles=none), {t.SagaWorkers} saga worker, {t.SenderWorkers} sender worker, {t.Accounts} accounts; {t.Configuration} build; Outbox:QueryDelay {t.QueryDelay}; prefetch {t.PrefetchCount}; DB pool {t.DatabasePoolSize}/process, DB SSL mode {t.DatabaseSslMode}{extra}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Source: {info.SourceRevision}; command: `{info.CommandLine}`");
        md.AppendLine();

        var scale = run.Scale?.Phase;
        var pendingLabel = run.Scale is null ? "" : $"{run.Scale.PendingRequested:N0} pending";
        md.AppendLine(scale is null ? "| Figure | Empty database |" : $"| Figure | Empty database | {pendingLabel} |");
        md.AppendLine(scale is null ? "|---|---|" : "|---|---|---|");
        void Row(string figure, Func<PhaseResult, string?> value)
        {
            var empty = run.Empty is null ? null : value(run.Empty);
            var scaled = scale is null ? null : value(scale);
            if (empty is null && scaled is null)
                return;
            md.AppendLine(scale is null ? $"| {figure} | {empty ?? "–"} |" : $"| {figure} | {empty ?? "–"} | {scaled ?? "–"} |");
        }

        Row("1. Accept, closed loop: clients", p => p.AcceptClosed?.Concurrency.ToString(CultureInfo.InvariantCulture));
        Row("1. Accept, closed loop: requests/s", p => p.AcceptClosed is { } a ? F(a.RequestsPerSecond) : null);
        Row("1. Accept, closed loop: latency p50 / p99 / max (ms)", p => p.AcceptClosed is { } a ? Lat(a.LatencyMs) : null);
        Row("1. Accept, closed loop: errors", p => p.AcceptClosed is { } a ? Errors(a) : null);
        Row("1. Accept, paced: offered → achieved requests/s", p => p.AcceptPaced is { } a ? $"{a.TargetRate} → {F(a.RequestsPerSecond)}" : null);
        Row("1. Accept, paced: latency p50 / p99 / max (ms)", p => p.AcceptPaced is { } a ? Lat(a.LatencyMs) : null);
        Row("1. Accept, paced: errors", p => p.AcceptPaced is { } a ? Errors(a) : null);
        Row("2. End to end: jobs in flight", p => p.EndToEnd?.InFlight.ToString(CultureInfo.InvariantCulture));
        Row("2. End to end: jobs/s sustained (request → SMTP)", p => p.EndToEnd is { } e ? $"**{F(e.JobsPerSecond)}**" : null);
        Row("2. End to end: latency p50 / p99 (ms)", p => p.EndToEnd is { } e ? $"{F(e.LatencyMs.P50, "0")} / {F(e.LatencyMs.P99, "0")}" : null);
        Row("2. End to end: accept latency p50 / p99 (ms)", p => p.EndToEnd is { } e ? $"{F(e.AcceptLatencyMs.P50)} / {F(e.AcceptLatencyMs.P99)}" : null);
        Row("2. End to end: jobs finished / unfinished / POST errors", p => p.EndToEnd is { } e ? $"{e.Finished} / {e.Unfinished} / {e.PostErrors}" : null);
        Row("2. End to end: DB commits per job (net of idle polling)", p => p.EndToEnd is { } e ? $"{F(e.CommitsPerJob)} ({F(e.CommitsPerJobNetOfIdle)})" : null);
        Row("2. End to end: rows inserted / updated / deleted per job", p => p.EndToEnd is { } e ? $"{F(e.RowsInsertedPerJob)} / {F(e.RowsUpdatedPerJob)} / {F(e.RowsDeletedPerJob)}" : null);
        Row("2. End to end: SMTP connections opened", p => p.EndToEnd?.SmtpConnectionsOpened.ToString(CultureInfo.InvariantCulture));
        Row("2. End to end: machine CPU busy", p => p.EndToEnd is { } e ? $"{F(e.Cpu.MachineBusyPercent, "0")} %" : null);
        Row("3. Punctuality: due per second × seconds (created)", p => p.Punctuality is { } q ? $"{q.DuePerSecond} × {q.Seconds} ({q.Created}{(q.SkippedCreationTooLate > 0 ? $", {q.SkippedCreationTooLate} skipped" : "")})" : null);
        Row("3. Punctuality: lateness p50 / p99 / p99.9 / max (s)", p => p.Punctuality is { } q
            ? $"{F(q.LatenessSeconds.P50, "0.000")} / {F(q.LatenessSeconds.P99, "0.000")} / {F(q.LatenessSeconds.P999, "0.000")} / {F(q.LatenessSeconds.Max, "0.000")}" : null);
        Row("3. Punctuality: lateness p99 of the first / last due second (s)", p => p.Punctuality is { } q ? $"{F(q.LatenessFirstSecondP99, "0.000")} / {F(q.LatenessLastSecondP99, "0.000")}" : null);
        Row("3. Punctuality: early / unfinished / twice", p => p.Punctuality is { } q ? $"{q.Early} / {q.Unfinished} / {q.Duplicates}" : null);
        Row("3. Punctuality: DB commits per job", p => p.Punctuality is { } q ? F(q.CommitsPerJob) : null);
        Row("3. Punctuality: machine CPU busy", p => p.Punctuality is { } q ? $"{F(q.Cpu.MachineBusyPercent, "0")} %" : null);
        Row("4. Database size (MiB)", p => p.DatabaseSizeBytes > 0 ? F(p.DatabaseSizeBytes / 1048576.0, "0") : null);
        Row("4. Largest tables, with indexes (MiB)", p => p.TableSizeBytes.Count == 0 ? null
            : string.Join(", ", p.TableSizeBytes.Take(3).Select(kv => $"{kv.Key} {F(kv.Value / 1048576.0, "0")}")));
        Row("4. Jobs in the database (pending)", p => p.Rows is { } r ? $"{r.JobsByState.Values.Sum():N0} ({r.JobsByState.GetValueOrDefault("Pending"):N0})" : null);
        md.AppendLine();

        if (run.Memory.Count > 0)
        {
            md.AppendLine("| Process | Peak RSS, empty phase (MiB) | Peak RSS, scale phase (MiB) |");
            md.AppendLine("|---|---|---|");
            foreach (var (name, memory) in run.Memory)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {F(memory.PeakRssEmptyBytes / 1048576.0, "0")} | {(memory.PeakRssScaleBytes > 0 ? F(memory.PeakRssScaleBytes / 1048576.0, "0") + (memory.PeakWasReset ? "" : " (peak since start)") : "–")} |");
            md.AppendLine();
        }

        if (run.Baselines.Count > 0)
        {
            var e2e = run.Empty?.EndToEnd?.JobsPerSecond ?? double.NaN;
            md.AppendLine("| Baseline (same machine, same run) | Concurrency | Per second | p50 (ms) | End to end as a fraction |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var b in run.Baselines)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {b.Name}: {b.What} | {b.Concurrency} | {F(b.PerSecond, "0")} | {F(b.LatencyMs.P50, "0.00")} | {(b.PerSecond > 0 ? F(e2e / b.PerSecond, "0.000") : "–")} |");
            if (run.Empty?.EndToEnd is { } e && run.Baselines.FirstOrDefault(b => b.Name == "database") is { } db && db.PerSecond > 0)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"\nEnd to end used {F(e.CommitsPerJob * e.JobsPerSecond, "0")} commits/s ({F(e.CommitsPerJob)} per job × {F(e.JobsPerSecond)} jobs/s) of the {F(db.PerSecond, "0")} single-row transactions/s the database baseline reached.");
            md.AppendLine();
        }

        if (run.Empty?.EndToEnd is { } cpu && cpu.CpuMsPerJob.Count > 0)
        {
            md.AppendLine("| CPU per end-to-end job (ms) | " + string.Join(" | ", cpu.CpuMsPerJob.Keys) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", cpu.CpuMsPerJob.Count)));
            md.AppendLine("| empty database | " + string.Join(" | ", cpu.CpuMsPerJob.Values.Select(v => F(v, "0.00"))) + " |");
            md.AppendLine();
        }

        if (run.Targets.Count > 0)
        {
            md.AppendLine("| Target | Actual | Met |");
            md.AppendLine("|---|---|---|");
            foreach (var target in run.Targets)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {target.Target} | {target.Actual}{(target.Note.Length > 0 ? $" ({target.Note})" : "")} | {(target.Met is null ? "–" : target.Met.Value ? "yes" : "**no**")} |");
            md.AppendLine();
        }

        if (run.Integrity is { } integrity && integrity.Examples.Count > 0)
        {
            md.AppendLine("Integrity problems (first ones):");
            foreach (var example in integrity.Examples)
                md.AppendLine(CultureInfo.InvariantCulture, $"- {example}");
            md.AppendLine();
        }
        foreach (var note in run.Notes)
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        return md.ToString();
    }

    static string Lat(Distribution d) => $"{F(d.P50)} / {F(d.P99)} / {F(d.Max)}";

    static string Errors(AcceptResult a)
    {
        if (a.Errors == 0)
            return "0";
        var parts = a.ErrorsByStatus.Select(kv => $"{kv.Key}: {kv.Value}").ToList();
        if (a.NotSentClientSaturated > 0)
            parts.Add($"not sent, client saturated: {a.NotSentClientSaturated}");
        return $"{a.Errors} ({string.Join(", ", parts)})";
    }

    static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : $"{a}; {b}";

    public static string F(double value, string format = "0.0") =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
