namespace Autopilot.Agents.Readiness;

/// <summary>One check of the production-readiness gate, as recorded in <see cref="Protocol.ReadinessAssessed"/>.</summary>
/// <param name="Name">Which check (<see cref="ReadinessCheckNames"/>).</param>
/// <param name="Passed">Whether the commit passed it.</param>
/// <param name="Details">One line for humans: why it passed or failed.</param>
/// <param name="Evidence">What it was judged on (run → conclusion, file → secret kinds, document → present/missing …); never a secret value.</param>
/// <param name="Confidence">How sure the verdict is, 0–100 (lower when GitHub could not be read).</param>
public sealed record ReadinessCheck(string Name, bool Passed, string Details, IReadOnlyDictionary<string, string> Evidence, int Confidence);

/// <summary>The checks of the readiness gate, in the order they are recorded.</summary>
public static class ReadinessCheckNames
{
    /// <summary>The commit's test workflow runs / check runs all concluded successfully.</summary>
    public const string Tests = "tests";

    /// <summary>The commit's integration workflow runs / check runs all concluded successfully.</summary>
    public const string Integration = "integration";

    /// <summary>No secret-shaped value in the commit's added lines, and no failing code-scanning / secret-scanning check run.</summary>
    public const string Security = "security";

    /// <summary>The repository has the required documents at the commit.</summary>
    public const string Documentation = "documentation";

    /// <summary>The benchmark workflow succeeded (passed with a note when none is configured).</summary>
    public const string Performance = "performance";

    /// <summary>There is something to roll back to: a last good deployment of the service, or a release tag.</summary>
    public const string RollbackPlan = "rollback plan";

    /// <summary>Every check, in order.</summary>
    public static IReadOnlyList<string> All { get; } = [Tests, Integration, Security, Documentation, Performance, RollbackPlan];
}

/// <summary>The gate's decisions and the rule that derives one from the checks.</summary>
public static class ReadinessDecisions
{
    /// <summary>Every check passed: the autopilot deploys.</summary>
    public const string Go = "GO";

    /// <summary>Only <c>performance</c> failed: deployed only where policy allows WARNING deploys (with a WARNING alert), else a human is asked.</summary>
    public const string Warning = "WARNING";

    /// <summary>Anything else failed: never deployed; alerted and commented on the commit.</summary>
    public const string NoGo = "NO-GO";

    /// <summary>0 failed → GO; only <c>performance</c> failed → WARNING; anything else → NO-GO (also when there are no checks).</summary>
    public static string Of(IReadOnlyList<ReadinessCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (checks.Count == 0)
        {
            return NoGo;
        }

        var failed = checks.Where(c => !c.Passed).Select(c => c.Name).ToArray();
        return failed.Length switch
        {
            0 => Go,
            _ when failed.All(name => name == ReadinessCheckNames.Performance) => Warning,
            _ => NoGo,
        };
    }
}
