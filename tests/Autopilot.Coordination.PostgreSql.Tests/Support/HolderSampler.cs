namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>
/// Samples <see cref="PostgreSqlLease.TryGetFencingToken"/> (CheckLease plus its token) on several leases over and
/// over on its own thread, and records every sample that proves two holders at once.
/// </summary>
/// <remarks>
/// A sample reads all leases twice. Reads are not simultaneous, so "two trues in one pass" alone proves nothing (the
/// first may have released between the reads). But a tenure never comes back once ended, so a lease that shows the
/// same token in both passes held it continuously over the whole sample; any other lease seen holding during that
/// sample held it at the same time. Such a sample is a real overlap, never a false alarm.
/// </remarks>
public sealed class HolderSampler : IDisposable
{
    private readonly PostgreSqlLease[] _leases;
    private readonly Thread _thread;
    private readonly List<string> _overlaps = [];
    private readonly HashSet<long>[] _seen;
    private volatile bool _stop;

    public HolderSampler(params PostgreSqlLease[] leases)
    {
        _leases = leases;
        _seen = leases.Select(_ => new HashSet<long>()).ToArray();
        _thread = new Thread(Run) { IsBackground = true, Name = "lease-sampler" };
        _thread.Start();
    }

    public long Samples { get; private set; }

    /// <summary>Samples in which some lease was seen holding.</summary>
    public long SamplesWithHolder { get; private set; }

    /// <summary>Descriptions of the samples that proved two holders at once.</summary>
    public IReadOnlyList<string> Overlaps
    {
        get { lock (_overlaps) return _overlaps.ToArray(); }
    }

    /// <summary>Tokens lease <paramref name="index"/> was seen holding.</summary>
    public IReadOnlyCollection<long> TokensSeenBy(int index)
    {
        lock (_seen) return _seen[index].ToArray();
    }

    /// <summary>Stops sampling and waits for the thread.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        var first = new long?[_leases.Length];
        var second = new long?[_leases.Length];
        while (!_stop)
        {
            Read(first);
            Read(second);
            Samples++;
            if (first.Any(t => t is not null) || second.Any(t => t is not null))
                SamplesWithHolder++;
            lock (_seen)
            {
                for (var i = 0; i < _leases.Length; i++)
                {
                    if (first[i] is { } a) _seen[i].Add(a);
                    if (second[i] is { } b) _seen[i].Add(b);
                }
            }

            for (var i = 0; i < _leases.Length; i++)
            {
                if (first[i] is null || first[i] != second[i])
                    continue;
                for (var j = 0; j < _leases.Length; j++)
                {
                    if (j != i && (first[j] is not null || second[j] is not null))
                    {
                        lock (_overlaps)
                            _overlaps.Add($"lease {i} held token {first[i]} throughout while lease {j} held {first[j]?.ToString() ?? "-"}/{second[j]?.ToString() ?? "-"}");
                    }
                }
            }

            Thread.Yield();
        }
    }

    private void Read(long?[] into)
    {
        for (var i = 0; i < _leases.Length; i++)
            into[i] = _leases[i].TryGetFencingToken(out var token) ? token : null;
    }
}
