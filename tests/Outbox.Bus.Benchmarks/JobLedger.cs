using System.Collections.Concurrent;
using System.Numerics;
using Outbox.Bus.Benchmarks.Infrastructure;

namespace Outbox.Bus.Benchmarks;

/// <summary>
/// Every job the run created through the API: when it was requested, its send_at (Unix seconds) and whether it must be
/// delivered during the run. At the end the sink's receipts are checked against it: each job that had to go out arrived
/// exactly once and not before its send_at, and nothing else arrived.
/// </summary>
public sealed class JobLedger
{
    readonly ConcurrentDictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    public void Add(string jobId, string scenario, DateTimeOffset requested, long? sendAt, bool mustBeSent) =>
        _jobs[jobId] = new JobRecord(scenario, requested, sendAt, mustBeSent);

    public bool TryGet(string jobId, out JobRecord record) => _jobs.TryGetValue(jobId, out record!);

    public IEnumerable<KeyValuePair<string, JobRecord>> Of(string scenario) => _jobs.Where(j => j.Value.Scenario == scenario);

    /// <param name="sendAtOfUnknown">The send_at of jobs the ledger does not know (the pending jobs seeded in SQL).</param>
    /// <param name="missing">Jobs answered 202 that the saga never created (by scenario), from <see cref="FindMissingAsync"/>.</param>
    public Integrity Check(MailSink sink, IReadOnlyDictionary<string, long?> sendAtOfUnknown, IReadOnlyDictionary<string, int> missing)
    {
        int expected = 0, finished = 0, unfinished = 0, early = 0, duplicates = 0, unexpected = 0;
        var examples = new List<string>();

        foreach (var (id, job) in _jobs)
        {
            var received = sink.TryGetReceipt(id, out var receipt);
            if (job.MustBeSent)
            {
                expected++;
                if (received) finished++;
                else
                {
                    unfinished++;
                    if (examples.Count < 10) examples.Add($"unfinished {job.Scenario} job {id}");
                }
            }
            else if (received)
            {
                // A job due after the run ends (accept and scale scenarios) that arrived: sent before its send_at.
                unexpected++;
            }

            if (!received)
                continue;
            if (receipt.Count > 1)
            {
                duplicates++;
                if (examples.Count < 10) examples.Add($"{job.Scenario} job {id} arrived {receipt.Count} times");
            }
            if (job.SendAt is { } sendAt && receipt.First < DateTimeOffset.FromUnixTimeSeconds(sendAt))
            {
                early++;
                if (examples.Count < 10) examples.Add($"{job.Scenario} job {id} arrived at {receipt.First:O}, before its send_at {sendAt}");
            }
        }

        int unknown = 0;
        foreach (var (id, receipt) in sink.Receipts)
        {
            if (_jobs.ContainsKey(id))
                continue;
            unknown++;
            if (receipt.Count > 1) duplicates++;
            if (sendAtOfUnknown.TryGetValue(id, out var sendAt) && sendAt is { } at && receipt.First < DateTimeOffset.FromUnixTimeSeconds(at))
            {
                early++;
                if (examples.Count < 10) examples.Add($"seeded job {id} arrived at {receipt.First:O}, before its send_at {at}");
            }
            else if (examples.Count < 10) examples.Add($"job {id} arrived but was not created by this run's requests");
        }

        return new Integrity(expected, finished, unfinished, early, duplicates, unexpected + unknown, missing.Values.Sum(), missing, examples);
    }

    /// <summary>
    /// A 202 promises a durable job: every job the API accepted must exist in the saga table. Counts, per scenario, the
    /// accepted jobs that do not (call it once the queues are empty).
    /// </summary>
    public async Task<Dictionary<string, int>> FindMissingAsync(string connectionString)
    {
        var missing = new Dictionary<string, int>();
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var chunk in _jobs.Chunk(10_000))
        {
            var ids = chunk.Select(j => PublicIds.Parse(j.Key)).ToArray();
            var found = new HashSet<Guid>();
            await using var command = new Npgsql.NpgsqlCommand("SELECT \"CorrelationId\" FROM \"SendJobs\" WHERE \"CorrelationId\" = ANY(@ids)", connection);
            command.Parameters.AddWithValue("ids", ids);
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    found.Add(reader.GetGuid(0));
            for (var i = 0; i < chunk.Length; i++)
                if (!found.Contains(ids[i]))
                    missing[chunk[i].Value.Scenario] = missing.GetValueOrDefault(chunk[i].Value.Scenario) + 1;
        }
        return missing;
    }
}

public sealed record JobRecord(string Scenario, DateTimeOffset Requested, long? SendAt, bool MustBeSent);

/// <summary>
/// <see cref="Unexpected"/>: arrivals of jobs that were not due during the run, or that no successful request created
/// (a request that timed out on the client may still have created its job).
/// <see cref="Lost"/>: jobs answered 202 that never reached the saga table (by scenario in <see cref="LostByScenario"/>).
/// </summary>
public sealed record Integrity(int JobsExpectedToFinish, int Finished, int Unfinished, int Early, int Duplicates, int Unexpected,
    int Lost, IReadOnlyDictionary<string, int> LostByScenario, IReadOnlyList<string> Examples)
{
    public bool Ok => JobsExpectedToFinish > 0 && Unfinished == 0 && Early == 0 && Duplicates == 0 && Lost == 0;
}

/// <summary>Nylas ids: a GUID's 128 bits as 25 lowercase base-36 characters (the service's PublicId, for the SQL seeding).</summary>
public static class PublicIds
{
    const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Format(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        Span<char> chars = stackalloc char[25];
        for (var i = 24; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 36, out var digit);
            chars[i] = Digits[(int)digit];
        }
        return new string(chars);
    }

    public static Guid Parse(string text)
    {
        var value = BigInteger.Zero;
        foreach (var c in text)
            value = value * 36 + Digits.IndexOf(c, StringComparison.Ordinal);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes[(16 - count)..], out _, isUnsigned: true, isBigEndian: true);
        return new Guid(bytes, bigEndian: true);
    }
}
