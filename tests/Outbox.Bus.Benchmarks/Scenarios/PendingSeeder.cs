using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Outbox.Bus.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4's precondition: P jobs pending, due one to seven days out.
/// <para>
/// <c>sql</c> (default): one template job per account is created through the API and left to the saga, which writes what
/// every pending job consists of: its <c>SendJobs</c> row (state Pending) and its scheduled <c>SendDue</c> row in
/// <c>OutboxMessage</c>. Those two rows are then copied P times in SQL with new job ids, schedule tokens, message ids and
/// due times (the ids inside the serialized message are replaced too), in batches of 50,000 per transaction, and the
/// tables are analysed. A sample of the copies is read back through <c>GET /job-statuses/{id}</c>. No inbox or outbox
/// rows are left for them, as for jobs accepted long ago whose inbox marks have been cleaned up.
/// </para>
/// <para><c>api</c>: every job is posted through the API (at the accept concurrency). Honest but slow for a million.</para>
/// </summary>
public static class PendingSeeder
{
    const int Batch = 50_000;

    public static async Task RunAsync(BenchContext context, ScaleResult scale)
    {
        var watch = Stopwatch.StartNew();
        if (scale.Via == "api")
            await ViaApiAsync(context, scale.PendingRequested);
        else
            await ViaSqlAsync(context, scale);
        scale.SeedSeconds = Math.Round(watch.Elapsed.TotalSeconds, 1);
        scale.SeedRowsPerSecond = Math.Round(scale.PendingRequested / Math.Max(0.001, watch.Elapsed.TotalSeconds), 0);
        context.Log($"  {scale.PendingRequested} pending jobs seeded ({scale.Via}) in {scale.SeedSeconds:0.0} s; {scale.SampleCheck}");
    }

    static async Task ViaApiAsync(BenchContext context, int count)
    {
        var next = -1;
        var errors = 0;
        async Task Creator()
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var sendAt = BenchContext.FarSendAt(i);
                var post = await context.Cluster.Client.PostAsync(sendAt, "seed");
                if (!post.Accepted && Interlocked.Increment(ref errors) > 1000)
                    throw new InvalidOperationException($"Seeding through the API fails: {post.Status} {post.Error}");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, context.Options.AcceptConcurrency * 2).Select(_ => Task.Run(Creator)));
    }

    static async Task ViaSqlAsync(BenchContext context, ScaleResult scale)
    {
        var accounts = context.Cluster.Client.Accounts;
        var templates = new List<(Guid Job, string PublicId, int Account)>();
        for (var a = 0; a < accounts.Count; a++)
        {
            var post = await context.Cluster.Client.PostAsync(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3 * 86_400, "seed-template", account: a);
            if (!post.Accepted)
                throw new InvalidOperationException($"Could not create a template job: {post.Status} {post.Error}");
            templates.Add((PublicIds.Parse(post.JobId!), post.JobId!, a));
        }

        await using var connection = new NpgsqlConnection(context.Cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await WaitForTemplatesAsync(connection, templates.Select(t => t.Job).ToArray());

        var jobColumns = await ColumnsAsync(connection, "SendJobs");
        var messageColumns = await ColumnsAsync(connection, "OutboxMessage");

        await Execute(connection, """
            CREATE TEMP TABLE bench_clone (n bigint PRIMARY KEY, template uuid NOT NULL, template_public text NOT NULL, job uuid NOT NULL,
                public_id text NOT NULL, token uuid NOT NULL, message uuid NOT NULL, due timestamptz NOT NULL)
            """);
        var now = DateTime.UtcNow;
        var random = new Random(42);
        await using (var import = await connection.BeginBinaryImportAsync(
                         "COPY bench_clone (n, template, template_public, job, public_id, token, message, due) FROM STDIN (FORMAT BINARY)"))
        {
            for (var n = 0; n < scale.PendingRequested; n++)
            {
                var template = templates[n % templates.Count];
                var job = Guid.NewGuid();
                // Spread over one to seven days, to the second like send_at on the wire.
                var due = now.AddDays(1).AddSeconds(random.Next(0, 6 * 86_400));
                due = new DateTime(due.Ticks - due.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
                await import.StartRowAsync();
                await import.WriteAsync((long)n, NpgsqlDbType.Bigint);
                await import.WriteAsync(template.Job, NpgsqlDbType.Uuid);
                await import.WriteAsync(template.PublicId, NpgsqlDbType.Text);
                await import.WriteAsync(job, NpgsqlDbType.Uuid);
                await import.WriteAsync(PublicIds.Format(job), NpgsqlDbType.Text);
                await import.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await import.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await import.WriteAsync(due, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }

        // Every column is copied from the template except the ones that make a job itself.
        var jobExpressions = new Dictionary<string, string>
        {
            ["CorrelationId"] = "c.job",
            ["SendAt"] = "c.due",
            ["OriginalSendAt"] = "c.due",
            ["RetryLimit"] = "c.due + (t.\"RetryLimit\" - t.\"SendAt\")",
            ["SendDueTokenId"] = "c.token",
            ["MessageId"] = "replace(t.\"MessageId\", c.template_public, c.public_id)",
        };
        var messageExpressions = new Dictionary<string, string>
        {
            ["EnqueueTime"] = "c.due",
            ["TokenId"] = "c.token",
            ["MessageId"] = "c.message",
            ["CorrelationId"] = "CASE WHEN t.\"CorrelationId\" = c.template THEN c.job ELSE t.\"CorrelationId\" END",
            ["Body"] = "replace(replace(t.\"Body\", c.template::text, c.job::text), t.\"MessageId\"::text, c.message::text)",
            ["Headers"] = "replace(replace(t.\"Headers\", c.template::text, c.job::text), t.\"MessageId\"::text, c.message::text)",
        };
        var insertJobs = $"""
            INSERT INTO "SendJobs" ({string.Join(", ", jobColumns.Select(Quote))})
            SELECT {string.Join(", ", jobColumns.Select(col => jobExpressions.GetValueOrDefault(col, "t." + Quote(col))))}
            FROM bench_clone c JOIN "SendJobs" t ON t."CorrelationId" = c.template
            WHERE c.n >= @from AND c.n < @to
            """;
        var insertMessages = $"""
            INSERT INTO "OutboxMessage" ({string.Join(", ", messageColumns.Select(Quote))})
            SELECT {string.Join(", ", messageColumns.Select(col => messageExpressions.GetValueOrDefault(col, "t." + Quote(col))))}
            FROM bench_clone c JOIN "SendJobs" j ON j."CorrelationId" = c.template JOIN "OutboxMessage" t ON t."TokenId" = j."SendDueTokenId"
            WHERE c.n >= @from AND c.n < @to
            """;

        for (var from = 0; from < scale.PendingRequested; from += Batch)
        {
            var to = Math.Min(scale.PendingRequested, from + Batch);
            await using var transaction = await connection.BeginTransactionAsync();
            var jobs = await Execute(connection, insertJobs, from, to, transaction);
            var messages = await Execute(connection, insertMessages, from, to, transaction);
            if (jobs != to - from || messages != to - from)
                throw new InvalidOperationException($"Seeding rows {from}..{to} wrote {jobs} jobs and {messages} scheduled messages");
            await transaction.CommitAsync();
            if (to % (Batch * 4) == 0 || to == scale.PendingRequested)
                context.Log($"  seeded {to:N0} / {scale.PendingRequested:N0}");
        }
        await Execute(connection, "ANALYZE \"SendJobs\"");
        await Execute(connection, "ANALYZE \"OutboxMessage\"");

        // Read back the first and last copies as their owners would.
        var checks = new List<string>();
        var ok = true;
        foreach (var n in new long[] { 0, scale.PendingRequested - 1 }.Distinct().Where(n => n >= 0))
        {
            await using var command = new NpgsqlCommand("SELECT public_id FROM bench_clone WHERE n = @n", connection);
            command.Parameters.AddWithValue("n", n);
            var id = (string)(await command.ExecuteScalarAsync())!;
            var account = accounts[templates[(int)(n % templates.Count)].Account];
            using var request = new HttpRequestMessage(HttpMethod.Get, $"job-statuses/{id}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.AccessToken);
            using var response = await context.Cluster.Client.Api(0).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = response.IsSuccessStatusCode ? JsonNode.Parse(body)?["status"]?.GetValue<string>() : null;
            ok &= status == "pending";
            checks.Add($"GET /job-statuses/{id} -> {(int)response.StatusCode} {status}");
        }
        scale.SampleVerified = ok;
        scale.SampleCheck = string.Join("; ", checks);
        await Execute(connection, "DROP TABLE bench_clone");
    }

    static async Task WaitForTemplatesAsync(NpgsqlConnection connection, Guid[] jobs)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await using var command = new NpgsqlCommand("""
                SELECT count(*) FROM "SendJobs" j JOIN "OutboxMessage" m ON m."TokenId" = j."SendDueTokenId"
                WHERE j."CorrelationId" = ANY(@jobs) AND j."CurrentState" = 'Pending'
                """, connection);
            command.Parameters.AddWithValue("jobs", jobs);
            if ((long)(await command.ExecuteScalarAsync())! == jobs.Length)
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException("The template jobs did not become pending with their scheduled SendDue row within 60 s");
    }

    /// <summary>The table's columns, without identity columns (the database numbers those).</summary>
    static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @table AND is_identity = 'NO' AND is_generated = 'NEVER'
              AND (column_default IS NULL OR column_default NOT LIKE 'nextval(%')
            ORDER BY ordinal_position
            """, connection);
        command.Parameters.AddWithValue("table", table);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            columns.Add(reader.GetString(0));
        if (columns.Count == 0)
            throw new InvalidOperationException($"Table {table} not found");
        return columns;
    }

    static string Quote(string column) => $"\"{column.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    static async Task<int> Execute(NpgsqlConnection connection, string sql, long? from = null, long? to = null, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 600 };
        if (from is not null)
        {
            command.Parameters.AddWithValue("from", from.Value);
            command.Parameters.AddWithValue("to", to!.Value);
        }
        return await command.ExecuteNonQueryAsync();
    }
}
