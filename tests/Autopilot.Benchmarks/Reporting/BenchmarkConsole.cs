namespace Autopilot.Benchmarks.Reporting;

/// <summary>What every benchmark mode shares: reading its options, percentiles, and printing a plain table.</summary>
public static class BenchmarkConsole
{
    /// <summary>The value after <paramref name="name"/> (e.g. <c>--runs 10</c>), or null when absent.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–1) of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Prints a table: the first <paramref name="textColumns"/> columns left-aligned, the figures right-aligned.</summary>
    public static void PrintTable(string[] header, IReadOnlyList<string[]> rows, int textColumns = 0)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))));
        Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(" | ", row.Select((c, i) => i < textColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        }
    }
}
