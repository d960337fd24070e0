namespace Autopilot.Actors;

/// <summary>Validates actor names: they become path elements, so they must be URI-safe and unambiguous.</summary>
internal static class ActorName
{
    private const string Allowed = "letters, digits and -_.*$+:@&=,!~';";

    /// <summary>Throws <see cref="InvalidActorNameException"/> naming the problem, or returns the valid name.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidActorNameException("Actor name must not be empty.");
        }

        if (name[0] == '$')
        {
            throw new InvalidActorNameException($"Actor name '{name}' is invalid: names starting with '$' are reserved for generated names.");
        }

        foreach (var c in name)
        {
            if (!IsAllowed(c))
            {
                throw new InvalidActorNameException($"Actor name '{name}' is invalid: character '{c}' is not allowed (allowed: {Allowed}).");
            }
        }

        return name;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*' or '$' or '+' or ':' or '@' or '&' or '=' or ',' or '!' or '~' or '\'' or ';';
}
