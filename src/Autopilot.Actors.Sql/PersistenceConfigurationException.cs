namespace Autopilot.Actors.Sql;

/// <summary>The persistence configuration is wrong (unknown plugin, missing connection string); names the offending key.</summary>
public sealed class PersistenceConfigurationException(string key, string message) : Exception(message)
{
    /// <summary>The HOCON key to fix, e.g. <c>autopilot.persistence.journal.plugin</c>.</summary>
    public string Key { get; } = key;
}
