using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Autopilot.Benchmarks.Reporting;
using LinqToDB.Data;

namespace Autopilot.Benchmarks.Stacks;

/// <summary>
/// Where Akka.Persistence.Sql's time goes on the database side: linq2db's trace of every command the journal and
/// snapshot store run (count, time from send to completion, rows affected), grouped by statement. Used only by the
/// breakdown runs: tracing costs a little itself, so the main tables run without it.
/// </summary>
internal sealed partial class JournalTrace
{
    private readonly ConcurrentDictionary<string, Stat> _stats = new(StringComparer.Ordinal);

    private sealed class Stat
    {
        public long Count;
        public long Ticks;
        public long Rows;
    }

    /// <summary>Forget everything so far (called when the measured window starts).</summary>
    public void Reset() => _stats.Clear();

    /// <summary>linq2db's trace callback.</summary>
    public void OnTrace(TraceInfo info)
    {
        // AfterExecute for non-queries and scalars; Completed for readers (includes reading the rows).
        var done = info.TraceInfoStep == TraceInfoStep.Completed
                   || (info.TraceInfoStep == TraceInfoStep.AfterExecute && info.Operation != TraceOperation.ExecuteReader);
        if (!done || info.ExecutionTime is not { } time)
        {
            return;
        }

        var key = $"{info.Operation}: {Shorten(info.CommandText)}";
        var stat = _stats.GetOrAdd(key, _ => new Stat());
        Interlocked.Increment(ref stat.Count);
        Interlocked.Add(ref stat.Ticks, time.Ticks);
        if (info.RecordsAffected is > 0 and var rows)
        {
            Interlocked.Add(ref stat.Rows, rows);
        }
    }

    /// <summary>Prints one row per statement, the costliest first, against <paramref name="window"/> of wall time.</summary>
    public void Print(string title, TimeSpan window, long events)
    {
        Console.WriteLine($"## {title}: {events:N0} events in {window.TotalMilliseconds:N0} ms of wall time; database commands as traced by linq2db");
        var rows = _stats.OrderByDescending(s => s.Value.Ticks).Select(s =>
        {
            var ms = TimeSpan.FromTicks(s.Value.Ticks).TotalMilliseconds;
            return new[]
            {
                s.Key, $"{s.Value.Count:N0}", $"{ms:N0}", $"{ms / Math.Max(1, s.Value.Count):F3}",
                s.Value.Rows == 0 ? "" : $"{s.Value.Rows:N0}", s.Value.Rows == 0 ? "" : $"{(double)s.Value.Rows / s.Value.Count:F1}",
            };
        }).ToList();
        BenchmarkConsole.PrintTable(["statement", "count", "total ms", "ms each", "rows", "rows each"], rows, textColumns: 1);
    }

    private static string Shorten(string? sql)
    {
        if (sql is null)
        {
            return "(none)";
        }

        var flat = Whitespace().Replace(sql, " ").Trim();
        return flat.Length <= 90 ? flat : flat[..90] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
