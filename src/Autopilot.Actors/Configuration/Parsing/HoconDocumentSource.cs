using System.Reflection;

namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// Where a HOCON document's text comes from, and therefore how its <c>include</c> statements are
/// located: files include relative to their directory, embedded resources include sibling resources.
/// </summary>
internal abstract class HoconDocumentSource
{
    /// <summary>Name used in origins and error messages.</summary>
    public abstract string Name { get; }

    /// <summary>Stable identity used to detect include cycles.</summary>
    public abstract string Identity { get; }

    public abstract string ReadText();

    /// <summary>Finds an included document, or returns null and a description of where it looked.</summary>
    public abstract HoconDocumentSource? ResolveInclude(string name, bool forceFile, out string lookedAt);

    /// <summary>Resolves a file include against a directory; tries "name.conf" when the name has no extension.</summary>
    protected static HoconDocumentSource? ResolveFile(string directory, string name, out string lookedAt)
    {
        var candidate = Path.GetFullPath(Path.Combine(directory, name));
        lookedAt = candidate;
        if (File.Exists(candidate))
        {
            return new FileDocumentSource(candidate);
        }

        if (!Path.HasExtension(candidate) && File.Exists(candidate + ".conf"))
        {
            return new FileDocumentSource(candidate + ".conf");
        }

        return null;
    }
}

/// <summary>A document on disk.</summary>
internal sealed class FileDocumentSource(string fullPath) : HoconDocumentSource
{
    public override string Name => fullPath;

    public override string Identity => "file:" + fullPath;

    public override string ReadText() => File.ReadAllText(fullPath);

    public override HoconDocumentSource? ResolveInclude(string name, bool forceFile, out string lookedAt) =>
        ResolveFile(Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory(), name, out lookedAt);
}

/// <summary>Text handed over in memory; includes are relative to <paramref name="baseDirectory"/>.</summary>
internal sealed class TextDocumentSource(string name, string text, string baseDirectory) : HoconDocumentSource
{
    public override string Name => name;

    public override string Identity => "text:" + name;

    public override string ReadText() => text;

    public override HoconDocumentSource? ResolveInclude(string includeName, bool forceFile, out string lookedAt) =>
        ResolveFile(baseDirectory, includeName, out lookedAt);
}

/// <summary>
/// A resource embedded in an assembly (typically a library's reference.conf). Plain includes name
/// sibling resources, matched by the end of the manifest resource name; <c>file(...)</c> reads from disk.
/// </summary>
internal sealed class ResourceDocumentSource(Assembly assembly, string resourceName) : HoconDocumentSource
{
    public override string Name => $"{assembly.GetName().Name}/{resourceName}";

    public override string Identity => "resource:" + Name;

    public override string ReadText()
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new ConfigurationException($"Assembly '{assembly.GetName().Name}' has no embedded resource '{resourceName}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public override HoconDocumentSource? ResolveInclude(string name, bool forceFile, out string lookedAt)
    {
        if (forceFile)
        {
            return ResolveFile(Directory.GetCurrentDirectory(), name, out lookedAt);
        }

        var wanted = name.Replace('/', '.').Replace('\\', '.');
        lookedAt = $"resources of assembly '{assembly.GetName().Name}' named '{wanted}'";
        var matches = assembly.GetManifestResourceNames()
            .Where(r => r == wanted || r.EndsWith("." + wanted, StringComparison.Ordinal))
            .ToList();

        // Prefer the sibling: the candidate sharing the longest prefix with the including resource.
        var best = matches
            .OrderByDescending(r => CommonPrefixLength(r, resourceName))
            .FirstOrDefault();
        return best is null ? null : new ResourceDocumentSource(assembly, best);
    }

    private static int CommonPrefixLength(string a, string b)
    {
        var length = 0;
        while (length < a.Length && length < b.Length && a[length] == b[length])
        {
            length++;
        }

        return length;
    }
}
