using System.Diagnostics;
using Prometheus;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// The process series the alerting rules judge memory and CPU by (<c>process_working_set_bytes</c>,
/// <c>process_cpu_seconds_total</c>, …) under the names prometheus-net's <c>DotNetStats</c> gives them, read at scrape
/// time from sources whose cost does not grow with the load they report on. <c>DotNetStats</c> also exports
/// <c>process_open_handles</c>, counted by listing <c>/proc/self/fd</c>: 7 ms with 300 sockets open (measured here),
/// most of an idle scrape and far more with hundreds of live streams, so it is left out; and it counts threads by
/// reading a file per thread, where one line of <c>/proc/self/status</c> says the same.
/// </summary>
internal sealed class ProcessMetrics
{
    private readonly object _gate = new();
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly Counter _cpu;
    private readonly Gauge _workingSet;
    private readonly Gauge _privateMemory;
    private readonly Gauge _virtualMemory;
    private readonly Gauge _threads;
    private readonly Counter _collections;
    private readonly Gauge _managedMemory;

    private ProcessMetrics(IMetricFactory factory)
    {
        factory.CreateGauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.")
            .Set(new DateTimeOffset(_process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        _cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent, in core-seconds.");
        _workingSet = factory.CreateGauge("process_working_set_bytes", "Process working set (resident memory).");
        _privateMemory = factory.CreateGauge("process_private_memory_bytes", "Process private memory size.");
        _virtualMemory = factory.CreateGauge("process_virtual_memory_bytes", "Virtual memory size.");
        _threads = factory.CreateGauge("process_num_threads", "Operating system threads of the process.");
        _collections = factory.CreateCounter("dotnet_collection_count_total", "Garbage collections, by generation.", ["generation"]);
        _managedMemory = factory.CreateGauge("dotnet_total_memory_bytes", "Bytes thought to be allocated on the managed heap.");
    }

    /// <summary>Adds the series to <paramref name="registry"/>, updated before each collection.</summary>
    public static void Register(CollectorRegistry registry)
    {
        var metrics = new ProcessMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        registry.AddBeforeCollectCallback(metrics.Update);
    }

    private void Update()
    {
        lock (_gate)
        {
            _process.Refresh();
            _cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
            _workingSet.Set(_process.WorkingSet64);
            _privateMemory.Set(_process.PrivateMemorySize64);
            _virtualMemory.Set(_process.VirtualMemorySize64);
            if (ThreadCount() is { } threads)
            {
                _threads.Set(threads);
            }

            for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            {
                _collections.WithLabels(generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(GC.CollectionCount(generation));
            }

            _managedMemory.Set(GC.GetTotalMemory(forceFullCollection: false));
        }
    }

    /// <summary>The <c>Threads:</c> line of <c>/proc/self/status</c> (Linux); elsewhere the process's thread list.</summary>
    private int? ThreadCount()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return _process.Threads.Count;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal) && int.TryParse(line.AsSpan(8).Trim(), out var threads))
            {
                return threads;
            }
        }

        return null;
    }
}
