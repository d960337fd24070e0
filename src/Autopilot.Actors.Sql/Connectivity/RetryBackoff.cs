namespace Autopilot.Actors.Sql.Connectivity;

/// <summary>
/// Capped exponential backoff between attempts to reach a database: <see cref="Initial"/>, doubled per failure,
/// never above <see cref="Max"/>.
/// </summary>
/// <param name="Initial">Wait after the first failure.</param>
/// <param name="Max">Longest wait.</param>
public sealed record RetryBackoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>0.5 s doubling up to 30 s.</summary>
    public static RetryBackoff Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    /// <summary>The wait after the <paramref name="failures"/>-th consecutive failure (1-based).</summary>
    public TimeSpan DelayAfter(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min((double)Initial.Ticks * Math.Pow(2, exponent), Max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
