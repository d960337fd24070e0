using Akka.Persistence.Journal;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Serialization;

/// <summary>
/// Tags every <see cref="IAuditEvent"/> on its way into the journal with <c>audit</c> and its domain, so an operator
/// (or <c>EventsByTag</c>) can replay the whole story or one platform's part of it. Other events pass untouched.
/// Bound to <see cref="IAuditEvent"/> for a journal by <see cref="AgentsPersistence.Hocon(string, System.Reflection.Assembly[])"/>.
/// </summary>
/// <remarks>
/// It is also a read adapter, bound to <see cref="Tagged"/>: SQL journals store the tags in their own column and replay
/// the bare event, but Akka's in-memory journals (<c>inmem</c>, the Persistence TestKit's <c>TestJournal</c>) keep the
/// <see cref="Tagged"/> wrapper and would replay it as is, which no <c>Recover&lt;T&gt;</c> handler matches. Reading
/// unwraps it, so a persistent actor recovers the same events whatever the journal.
/// </remarks>
public sealed class AuditTagger : IEventAdapter
{
    /// <summary>The name the adapter is registered under in a journal's <c>event-adapters</c>.</summary>
    public const string Name = "autopilot-audit-tagger";

    /// <inheritdoc />
    public string Manifest(object evt) => string.Empty;

    /// <inheritdoc />
    public object ToJournal(object evt) =>
        evt is IAuditEvent audit ? new Tagged(evt, [AuditEvents.Tag, audit.Domain]) : evt;

    /// <inheritdoc />
    public IEventSequence FromJournal(object evt, string manifest) =>
        EventSequence.Single(evt is Tagged tagged ? tagged.Payload : evt);
}
