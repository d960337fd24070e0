using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Alerts;

/// <summary>Full key paths for configuration errors, so a message names the key as the operator wrote it.</summary>
internal static class ConfigKeyPaths
{
    /// <summary><paramref name="path"/> under <paramref name="section"/> (no leading dot when the section is the root).</summary>
    public static string Of(ConfigSection section, string path) => section.PathPrefix.Length == 0 ? path : $"{section.PathPrefix}.{path}";
}
