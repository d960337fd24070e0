using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Processes;
using Npgsql;

namespace Autopilot.Daemon.ClusterHarness.Audit;

/// <summary>
/// The audit trail two ways: as operators read it (the <c>audit</c> tag stream from <c>GET /api/audit</c> on a live
/// node, i.e. the journal's own tag query) and as PostgreSQL stores it (every journal row), so a check can tell
/// whether the trail lost, repeated or reordered anything across a fail-over.
/// </summary>
public sealed class AuditTrail
{
    /// <summary>The largest page <c>/api/audit</c> serves; a trail this long may have been cut.</summary>
    public const int MaxEntries = 5000;

    private AuditTrail(IReadOnlyList<AuditEntry> entries, IReadOnlyList<JournalRow> journal)
    {
        Entries = entries;
        Journal = journal;
    }

    /// <summary>The audit tag stream, in the order the API served it.</summary>
    public IReadOnlyList<AuditEntry> Entries { get; }

    /// <summary>Every journal row, in offset order.</summary>
    public IReadOnlyList<JournalRow> Journal { get; }

    /// <summary>Entries of type <typeparamref name="T"/>.</summary>
    public IReadOnlyList<AuditEntry> OfType<T>() => Entries.Where(e => e.Is<T>()).ToArray();

    /// <summary>Reads the tag stream from <paramref name="node"/>'s API and the journal rows from the database.</summary>
    public static async Task<AuditTrail> ReadAsync(DaemonNode node, string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var entries = await ReadEntriesAsync(node, cancellationToken).ConfigureAwait(false);
        var rows = new List<JournalRow>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT ordering, persistence_id, sequence_nr, manifest, tags FROM event_journal ORDER BY ordering", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new JournalRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<string[]>(4)));
        }

        return new AuditTrail(entries, rows);
    }

    /// <summary>Only the tag stream, from <paramref name="node"/>'s API (for polling while a scenario runs).</summary>
    public static async Task<IReadOnlyList<AuditEntry>> ReadEntriesAsync(DaemonNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var response = await node.Api.GetAsync(new Uri($"/api/audit?limit={MaxEntries}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /api/audit on {node.NodeId} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.EnumerateArray().Select(AuditEntry.Parse).ToArray();
    }

    /// <summary>
    /// Everything wrong with the trail, one sentence each (empty when sound): the tag stream must be in strictly
    /// increasing offset order with no (persistence id, sequence nr) twice, and hold exactly the journal rows tagged
    /// <c>audit</c> (none skipped: no gap, none invented); every stream's sequence numbers must be contiguous (no event
    /// lost in between); hand-overs (<see cref="SingletonStarted"/>) must carry growing fencing tokens; no action id may be
    /// requested twice or get two outcomes, and every outcome must answer a request.
    /// </summary>
    public IReadOnlyList<string> Violations()
    {
        var violations = new List<string>();
        if (Entries.Count >= MaxEntries)
        {
            violations.Add($"The trail has {Entries.Count} entries, the API's page limit: it may have been cut, so it cannot be checked.");
        }

        for (var i = 1; i < Entries.Count; i++)
        {
            if (Entries[i].Offset <= Entries[i - 1].Offset)
            {
                violations.Add($"Offsets out of order or repeated: {Entries[i - 1]} is followed by {Entries[i]}.");
            }
        }

        foreach (var twice in Entries.GroupBy(e => (e.PersistenceId, e.SequenceNr)).Where(g => g.Count() > 1))
        {
            violations.Add($"{twice.Key.PersistenceId}/{twice.Key.SequenceNr} appears {twice.Count()} times in the tag stream.");
        }

        // The rows are read after the tag stream, so rows committed in between (offsets beyond the stream's last,
        // since offsets commit in increasing order) are not the stream's to show yet.
        var servedUpTo = Entries.Count > 0 ? Entries.Max(e => e.Offset) : 0;
        var tagged = Journal.Where(r => r.Ordering <= servedUpTo && r.Tags.Contains(AuditEvents.Tag)).Select(r => (Offset: r.Ordering, r.PersistenceId, r.SequenceNr)).ToHashSet();
        var served = Entries.Select(e => (Offset: e.Offset, e.PersistenceId, e.SequenceNr)).ToHashSet();
        foreach (var missing in tagged.Except(served).Order())
        {
            violations.Add($"Gap: journal row #{missing.Offset} ({missing.PersistenceId}/{missing.SequenceNr}) is tagged audit but missing from the tag stream.");
        }

        foreach (var extra in served.Except(tagged).Order())
        {
            violations.Add($"The tag stream serves #{extra.Offset} ({extra.PersistenceId}/{extra.SequenceNr}), which is not an audit-tagged journal row.");
        }

        foreach (var stream in Journal.GroupBy(r => r.PersistenceId))
        {
            var numbers = stream.Select(r => r.SequenceNr).Order().ToArray();
            if (numbers.Distinct().Count() != numbers.Length)
            {
                violations.Add($"Stream {stream.Key} stores a sequence number twice.");
            }
            else if (numbers[^1] - numbers[0] + 1 != numbers.Length)
            {
                violations.Add($"Stream {stream.Key} has a gap: {numbers.Length} events between sequence numbers {numbers[0]} and {numbers[^1]}.");
            }
        }

        var handovers = OfType<SingletonStarted>();
        for (var i = 1; i < handovers.Count; i++)
        {
            if (handovers[i].NumberField("token") <= handovers[i - 1].NumberField("token"))
            {
                violations.Add($"Hand-over {handovers[i]} is recorded after {handovers[i - 1]}: fencing tokens must only grow.");
            }
        }

        var requested = OfType<ActionRequested>().GroupBy(e => e.Field("actionId") ?? "?").ToDictionary(g => g.Key, g => g.Count());
        foreach (var (actionId, count) in requested.Where(r => r.Value > 1))
        {
            violations.Add($"Action {actionId} was requested {count} times.");
        }

        var outcomes = Entries.Where(e => e.Is<ActionCompleted>() || e.Is<ActionFailed>()).GroupBy(e => e.Field("actionId") ?? "?");
        foreach (var outcome in outcomes)
        {
            if (outcome.Count() > 1)
            {
                violations.Add($"Action {outcome.Key} has {outcome.Count()} outcomes: {string.Join(", ", outcome.Select(o => o.Type))}.");
            }

            if (!requested.ContainsKey(outcome.Key))
            {
                violations.Add($"Action {outcome.Key} has an outcome but was never requested.");
            }
        }

        return violations;
    }

    /// <summary>The whole tag stream, one entry per line, for a failed test's output.</summary>
    public string Describe() => string.Join('\n', Entries.Select(e => e.ToString()));
}
