using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// Collects the <c>Autopilot</c> meter through a <see cref="MeterListener"/> and writes the Prometheus text exposition
/// format (version 0.0.4). Counters become <c>_total</c> series, histograms get fixed buckets in seconds, gauges and
/// observable counters are read at scrape time.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    /// <summary>Content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly object _scrapeGate = new();

    /// <summary>Starts listening to <paramref name="metrics"/>' meter.</summary>
    public PrometheusExposition(AutopilotMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                _series.TryAdd(instrument, new Series(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Renders every series as of now.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            foreach (var series in _series.Values.Where(s => s.IsObservable))
            {
                series.ResetObservations();
            }

            _listener.RecordObservableInstruments();
            var output = new StringBuilder();
            foreach (var series in _series.Values.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal))
            {
                series.Write(output);
            }

            return output.ToString();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Add(LabelSet(tags), value);
        }
    }

    private static string LabelSet(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<KeyValuePair<string, object?>>(tags.ToArray());
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(",", pairs.Select(p => $"{p.Key}=\"{Escape(Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")}\""));
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, Cell> _cells = new();

        public Instrument Instrument { get; } = instrument;

        public bool IsObservable => Instrument.IsObservable;

        private string Kind => Instrument switch
        {
            Histogram<double> or Histogram<long> => "histogram",
            Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
            _ => "gauge",
        };

        private string BaseName => Instrument.Unit == "s" && !Instrument.Name.EndsWith("_seconds", StringComparison.Ordinal)
            ? Instrument.Name + "_seconds"
            : Instrument.Name;

        public void ResetObservations() => _cells.Clear();

        public void Add(string labels, double value)
        {
            var cell = _cells.GetOrAdd(labels, _ => new Cell());
            lock (cell)
            {
                if (Kind == "histogram")
                {
                    cell.Count++;
                    cell.Sum += value;
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        if (value <= Buckets[i])
                        {
                            cell.BucketCounts[i]++;
                        }
                    }
                }
                else if (IsObservable)
                {
                    cell.Sum = value;
                }
                else
                {
                    cell.Sum += value;
                }
            }
        }

        public void Write(StringBuilder output)
        {
            var name = Kind == "counter" ? BaseName + "_total" : BaseName;
            output.Append("# HELP ").Append(name).Append(' ').Append(Instrument.Description ?? Instrument.Name).Append('\n');
            output.Append("# TYPE ").Append(name).Append(' ').Append(Kind).Append('\n');
            foreach (var (labels, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (Kind == "histogram")
                    {
                        var separator = labels.Length == 0 ? "" : ",";
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            output.Append(BaseName).Append("_bucket{").Append(labels).Append(separator)
                                .Append("le=\"").Append(Number(Buckets[i])).Append("\"} ").Append(cell.BucketCounts[i]).Append('\n');
                        }

                        output.Append(BaseName).Append("_bucket{").Append(labels).Append(separator).Append("le=\"+Inf\"} ").Append(cell.Count).Append('\n');
                        output.Append(BaseName).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(cell.Sum)).Append('\n');
                        output.Append(BaseName).Append("_count").Append(Braces(labels)).Append(' ').Append(cell.Count).Append('\n');
                    }
                    else
                    {
                        output.Append(name).Append(Braces(labels)).Append(' ').Append(Number(cell.Sum)).Append('\n');
                    }
                }
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }

    private sealed class Cell
    {
        public long Count;
        public double Sum;
        public readonly long[] BucketCounts = new long[Buckets.Length];
    }
}
