using System.Reflection;
using System.Text;
using Akka.Configuration;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Serialization;

/// <summary>
/// The HOCON that lets a journal and snapshot store hold what the autopilot persists: the <see cref="EventSerializer"/>,
/// a serialization binding per persisted type, and the <see cref="AuditTagger"/> on the journal. Layer it into any
/// actor system config (TestKit in-memory or SQL journal alike), e.g.
/// <c>ConfigurationFactory.ParseString(app).WithFallback(AgentsPersistence.Hocon("akka.persistence.journal.sql"))</c>.
/// </summary>
public static class AgentsPersistence
{
    /// <summary>
    /// Serializer + bindings for every type carrying <see cref="EventManifestAttribute"/> in <c>Autopilot.Agents</c> and
    /// in <paramref name="additionalAssemblies"/>, and the audit tagger bound to <see cref="IAuditEvent"/> on the
    /// journal plugin at <paramref name="journalPluginPath"/> (e.g. <c>akka.persistence.journal.sql</c>,
    /// <c>akka.persistence.journal.inmem</c>, <c>akka.persistence.journal.test</c>); it is also bound to
    /// <see cref="Akka.Persistence.Journal.Tagged"/> to unwrap what in-memory journals replay (see <see cref="AuditTagger"/>).
    /// </summary>
    /// <param name="journalPluginPath">The full HOCON path of the journal plugin's section.</param>
    /// <param name="additionalAssemblies">Assemblies with more persisted types (e.g. the daemon's intake events).</param>
    public static Config Hocon(string journalPluginPath, params Assembly[] additionalAssemblies) =>
        ConfigurationFactory.ParseString(HoconText(journalPluginPath, additionalAssemblies));

    /// <summary>Only the serializer and its bindings (no event adapter), e.g. for a snapshot-only setup.</summary>
    public static Config SerializationHocon(params Assembly[] additionalAssemblies) =>
        ConfigurationFactory.ParseString(SerializationText(additionalAssemblies));

    /// <summary>The text of <see cref="Hocon"/>, for logging or embedding in a larger HOCON document.</summary>
    public static string HoconText(string journalPluginPath, params Assembly[] additionalAssemblies)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(journalPluginPath);
        var text = new StringBuilder(SerializationText(additionalAssemblies));
        text.AppendLine($"{journalPluginPath} {{");
        text.AppendLine($"  event-adapters {{ {AuditTagger.Name} = \"{TypeName(typeof(AuditTagger))}\" }}");
        text.AppendLine("  event-adapter-bindings {");
        text.AppendLine($"    \"{TypeName(typeof(IAuditEvent))}\" = {AuditTagger.Name}");
        text.AppendLine($"    \"{TypeName(typeof(Akka.Persistence.Journal.Tagged))}\" = {AuditTagger.Name}");
        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }

    private static string SerializationText(Assembly[] additionalAssemblies)
    {
        ArgumentNullException.ThrowIfNull(additionalAssemblies);
        var assemblies = new[] { typeof(AgentsPersistence).Assembly }.Concat(additionalAssemblies).Distinct().ToArray();
        var text = new StringBuilder();
        text.AppendLine("akka.actor {");
        text.AppendLine($"  serializers {{ {EventSerializer.Name} = \"{TypeName(typeof(EventSerializer))}\" }}");
        text.AppendLine("  serialization-bindings {");
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.GetCustomAttribute<EventManifestAttribute>() is not null))
        {
            text.AppendLine($"    \"{TypeName(type)}\" = {EventSerializer.Name}");
        }

        text.AppendLine("  }");
        var names = string.Join(", ", assemblies.Select(a => $"\"{a.GetName().Name}\""));
        text.AppendLine($"  serialization-settings.{EventSerializer.Name}.assemblies = [{names}]");
        text.AppendLine("}");
        return text.ToString();
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
