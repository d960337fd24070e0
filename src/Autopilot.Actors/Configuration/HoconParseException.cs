namespace Autopilot.Actors.Configuration;

/// <summary>
/// HOCON text could not be turned into a configuration: bad syntax, a missing include, an
/// unresolvable substitution. The message starts with <c>file:line:column:</c> so that editors
/// and terminals can jump straight to the problem.
/// </summary>
public sealed class HoconParseException : ConfigurationException
{
    /// <summary>Creates the exception for a problem at the given position.</summary>
    public HoconParseException(string file, int line, int column, string problem, Exception? innerException = null)
        : base($"{file}:{line}:{column}: {problem}", null, innerException)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file (or source name) in which the problem was found.</summary>
    public string File { get; }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }

    /// <summary>The description without the position prefix.</summary>
    public string Problem { get; }
}
