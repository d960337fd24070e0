using System.Collections.Concurrent;
using Autopilot.Agents.Alerts;

namespace Autopilot.Agents.Tests.Alerts;

/// <summary>An alert channel for tests: records every attempt, fails the first <see cref="FailuresLeft"/> (or forever), or never answers.</summary>
public sealed class ScriptedAlertChannel(string name) : IAlertChannel
{
    private readonly ConcurrentQueue<AlertMessage> _attempts = new();
    private readonly ConcurrentQueue<AlertMessage> _delivered = new();
    private int _failuresLeft;

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Attempts still to fail; <see cref="int.MaxValue"/> for always.</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>When true, attempts never complete (until cancelled).</summary>
    public bool Hang { get; set; }

    /// <summary>Every attempt.</summary>
    public IReadOnlyList<AlertMessage> Attempts => _attempts.ToArray();

    /// <summary>Messages that were delivered.</summary>
    public IReadOnlyList<AlertMessage> Delivered => _delivered.ToArray();

    /// <inheritdoc />
    public async Task DeliverAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        _attempts.Enqueue(message);
        if (Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        if (FailuresLeft > 0)
        {
            if (FailuresLeft != int.MaxValue)
            {
                Interlocked.Decrement(ref _failuresLeft);
            }

            throw new InvalidOperationException($"{Name} is down");
        }

        _delivered.Enqueue(message);
    }
}
