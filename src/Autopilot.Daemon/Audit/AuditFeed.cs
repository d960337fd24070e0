using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Persistence.Query;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Audit;

/// <summary>
/// One live tail of the audit trail shared by every viewer of <c>/api/audit/stream</c>. Each viewer used to run its own
/// <c>EventsByTag</c> query, i.e. its own poll of the journal every refresh interval and its own serialization of every
/// event: with hundreds of viewers the journal and the CPU went to polling and the delivery lag grew with the number of
/// viewers. Here one query follows the journal; each event is described and serialized once (<see cref="LiveAuditEntry"/>)
/// and handed to every viewer's buffer. A viewer that resumes from an older offset reads the gap from the journal first
/// (<c>CurrentEventsByTag</c>) and then joins the live tail exactly where the gap ends, so it misses nothing and sees
/// nothing twice. A viewer that falls <see cref="ViewerBuffer"/> events behind is dropped (its stream ends; a client
/// reconnecting with <c>Last-Event-ID</c> catches up from the journal) instead of holding everyone's memory. The tail
/// starts with the first viewer and then keeps following (one poll per refresh interval, as one viewer cost before);
/// when it fails its viewers' streams end and the next viewer starts it again from where it stopped.
/// </summary>
public sealed class AuditFeed(DaemonRuntime runtime) : IDisposable
{
    /// <summary>Events a viewer may be behind the live tail before it is dropped.</summary>
    public const int ViewerBuffer = 10_000;

    /// <summary>
    /// How long a viewer lets live events gather before it writes them: with hundreds of viewers, one write and flush per
    /// event and viewer costs more CPU (system calls) than the events themselves; this bounds them at 20 per second per
    /// viewer for at most this much added lag.
    /// </summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    private const int CatchUpBatch = 256;
    private readonly object _gate = new();
    private readonly HashSet<Channel<LiveAuditEntry>> _viewers = [];
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _tail;

    // The offset of the last event handed to the viewers (the live tail's resume point).
    private long _position;

    /// <summary>The offset of the newest event the live tail handed out (where a viewer without a resume point starts).</summary>
    public async Task<long> PositionAsync(CancellationToken cancellationToken)
    {
        var audit = runtime.Audit ?? throw new InvalidOperationException("The read side of the journal is not running yet.");
        await EnsureTailAsync(audit, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _position;
        }
    }

    /// <summary>
    /// The audit events after <paramref name="after"/> (null: from now on), live, in journal order, in batches of what
    /// is ready at once (a viewer writes and flushes a batch in one go). Ends when <paramref name="cancellationToken"/>
    /// is cancelled; throws <see cref="ChannelClosedException"/> when the viewer fell too far behind or the tail failed.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LiveAuditEntry>> FollowAsync(long? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var audit = runtime.Audit ?? throw new InvalidOperationException("The read side of the journal is not running yet.");
        await EnsureTailAsync(audit, cancellationToken).ConfigureAwait(false);
        var channel = Channel.CreateBounded<LiveAuditEntry>(new BoundedChannelOptions(ViewerBuffer) { SingleReader = true, SingleWriter = true });
        long live;
        lock (_gate)
        {
            _viewers.Add(channel);
            live = _position;
        }

        try
        {
            var from = after ?? live;
            if (from < live)
            {
                // The gap between the viewer's resume point and the live tail, from the journal; the tail has the rest.
                var batch = new List<LiveAuditEntry>(CatchUpBatch);
                await foreach (var envelope in audit.CurrentEventsByTag(AuditEvents.Tag, from, cancellationToken).ConfigureAwait(false))
                {
                    if (EnvelopeTime.OffsetOf(envelope) > live)
                    {
                        break;
                    }

                    batch.Add(LiveAuditEntry.Of(envelope));
                    if (batch.Count == CatchUpBatch)
                    {
                        yield return batch;
                        batch = new List<LiveAuditEntry>(CatchUpBatch);
                    }
                }

                if (batch.Count > 0)
                {
                    yield return batch;
                }
            }

            var reader = channel.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.Count < CatchUpBatch)
                {
                    await Task.Delay(Gather, cancellationToken).ConfigureAwait(false);
                }

                var batch = new List<LiveAuditEntry>();
                while (batch.Count < CatchUpBatch && reader.TryRead(out var entry))
                {
                    // A resume point ahead of the tail (a client that saw more than this node's tail yet) skips what it has.
                    if (entry.Record.Offset > from)
                    {
                        batch.Add(entry);
                    }
                }

                if (batch.Count > 0)
                {
                    yield return batch;
                }
            }

            // Completed without an error: the tail stopped (shutdown); with one, WaitToReadAsync threw it above.
        }
        finally
        {
            lock (_gate)
            {
                _viewers.Remove(channel);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _starting.Dispose();
    }

    private async Task EnsureTailAsync(AuditQueries audit, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tail) is { IsCompleted: false })
        {
            return;
        }

        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tail is { IsCompleted: false })
            {
                return;
            }

            // First start: from the present end. After the tail stopped (journal trouble), from where it stopped.
            if (_tail is null)
            {
                _position = await audit.EndOffsetAsync(AuditEvents.Tag, cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref _tail, Task.Run(() => TailAsync(audit, _position, _stopping.Token), CancellationToken.None));
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task TailAsync(AuditQueries audit, long from, CancellationToken stopping)
    {
        Exception? failure = null;
        try
        {
            await foreach (var envelope in audit.EventsByTag(AuditEvents.Tag, from, stopping).ConfigureAwait(false))
            {
                var entry = LiveAuditEntry.Of(envelope);
                lock (_gate)
                {
                    _position = entry.Record.Offset;
                    foreach (var viewer in _viewers)
                    {
                        if (!viewer.Writer.TryWrite(entry))
                        {
                            viewer.Writer.TryComplete(new ChannelClosedException($"the viewer fell {ViewerBuffer} events behind the live audit stream"));
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = stopping.IsCancellationRequested ? null : e;
        }
        finally
        {
            lock (_gate)
            {
                foreach (var viewer in _viewers)
                {
                    viewer.Writer.TryComplete(failure is null ? null : new ChannelClosedException("the live audit stream stopped: " + failure.Message, failure));
                }
            }
        }
    }
}

/// <summary>An audit event as every viewer of the live stream gets it: described and serialized once.</summary>
/// <param name="Record">The event, for each viewer's filter.</param>
/// <param name="Frame">Its Server-Sent Events frame (<c>id</c>, <c>event: audit</c>, <c>data</c>) in UTF-8, written as is by every viewer.</param>
public sealed record LiveAuditEntry(AuditRecord Record, ReadOnlyMemory<byte> Frame)
{
    /// <summary>Describes and serializes <paramref name="envelope"/>.</summary>
    public static LiveAuditEntry Of(EventEnvelope envelope)
    {
        var record = AuditRecord.From(envelope);
        return new LiveAuditEntry(record, Encoding.UTF8.GetBytes($"id: {record.Offset}\nevent: audit\ndata: {JsonSerializer.Serialize(record, AuditRecord.Json)}\n\n"));
    }
}
