using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Readiness;

namespace Autopilot.Agents.Policy;

/// <summary>What a decision's confidence is computed from: the situation and the evidence the orient step had.</summary>
/// <param name="Situation">The situation (<see cref="Situations"/>).</param>
/// <param name="LogTail">The log lines read for it (a failed build's or a crash's), possibly empty.</param>
/// <param name="EarlierOccurrences">How many times the same incident (fingerprint) was seen before this one.</param>
/// <param name="RequestedByOperator">True when a human asked for the action (e.g. <c>autopilot rollback</c>).</param>
public sealed record ConfidenceEvidence(string Situation, IReadOnlyList<string> LogTail, int EarlierOccurrences = 0, bool RequestedByOperator = false);

/// <summary>A decision's confidence, 0–100, and the weights it was summed from (for the record and for humans).</summary>
/// <param name="Score">0–100.</param>
/// <param name="Basis">Each weight that contributed, as <c>name +n</c>, in order.</param>
public sealed record Confidence(int Score, IReadOnlyList<string> Basis)
{
    /// <summary>The basis as one line, e.g. <c>base 50 + clear-error-line 35 = 85</c>.</summary>
    public string Explain() => $"{string.Join(" + ", Basis)} = {Score}";
}

/// <summary>What to do with an action at a given confidence.</summary>
public enum ConfidenceBand
{
    /// <summary>At or above the action's act threshold: carry it out.</summary>
    Act,

    /// <summary>From the review threshold up to act − 1: ask a human (an approval), carry out nothing.</summary>
    Review,

    /// <summary>Below the review threshold: record the decision, do not act (alert when the situation is severe).</summary>
    Record,
}

/// <summary>The weights of <see cref="ConfidenceRules"/> (<c>autopilot.agents.confidence.weights</c>), each a number of points.</summary>
/// <param name="Base">Where every decision starts.</param>
/// <param name="PlatformStatus">The platform's own answer says it (checks concluded, SUCCESS, hung past the timeout, probe failed after retries, n8n execution failed).</param>
/// <param name="ClearErrorLine">A failed build's log has a line that names the error.</param>
/// <param name="UnknownFailure">A failed build's log has no such line.</param>
/// <param name="OutOfMemoryMarker">A crash log shows an out-of-memory marker.</param>
/// <param name="ConnectionRefusedMarker">A crash log shows refused connections.</param>
/// <param name="GenericCrash">A crash log shows no known cause.</param>
/// <param name="CrashedAfterRestart">The same deployment crashed again after the autopilot restarted it.</param>
/// <param name="DependencyUnhealthy">The health worker found a crashed service's dependency down.</param>
/// <param name="OperatorRequest">A human asked for the action.</param>
/// <param name="RepeatedFingerprint">Per earlier occurrence of the same incident (fingerprint)…</param>
/// <param name="RepeatedMax">…up to this many points in all.</param>
/// <param name="ReadinessRead">A readiness check judged on what GitHub returned (its confidence, not added to the base).</param>
/// <param name="ReadinessUnread">A readiness check GitHub could not be read for (judged failed; its confidence).</param>
public sealed record ConfidenceWeights(
    int Base, int PlatformStatus, int ClearErrorLine, int UnknownFailure, int OutOfMemoryMarker, int ConnectionRefusedMarker, int GenericCrash,
    int CrashedAfterRestart, int DependencyUnhealthy, int OperatorRequest, int RepeatedFingerprint, int RepeatedMax, int ReadinessRead, int ReadinessUnread);

/// <summary>An action's thresholds: act at or above <paramref name="Act"/>, ask a human from <paramref name="Review"/> up to act − 1, below: record only.</summary>
/// <param name="Act">The act threshold.</param>
/// <param name="Review">The review threshold (≤ act).</param>
public sealed record ConfidenceThresholds(int Act, int Review);

/// <summary>
/// THE place where a decision's confidence comes from: readable rules that add configured weights for each kind of
/// evidence (<c>autopilot.agents.confidence</c>), and the per-action thresholds that turn a score into act / ask a human /
/// record only. The orchestrator computes one for every decision and writes it beside it (<see cref="Protocol.Decided.Confidence"/>).
/// </summary>
/// <remarks>
/// The rules, in words: every decision starts at <c>base</c>. A situation the platform itself reports (green or red
/// checks, SUCCESS, a hang past the timeout, a failed probe, a failed n8n execution) adds <c>platform-status</c>. A failed
/// build adds <c>clear-error-line</c> when its log names the error, <c>unknown-failure</c> when it does not. A crash adds
/// <c>out-of-memory-marker</c> or <c>connection-refused-marker</c> when its log shows one, <c>generic-crash</c> when it
/// shows nothing known, plus <c>crashed-after-restart</c> when it is the same deployment crashing again after a restart.
/// An unhealthy dependency adds <c>dependency-unhealthy</c>. Each earlier occurrence of the same incident adds
/// <c>repeated-fingerprint</c>, at most <c>repeated-max</c> in all. A human's request adds <c>operator-request</c>. The sum
/// is clamped to 0–100. The readiness gate's confidence is its least sure check's (<c>readiness-read</c>, or
/// <c>readiness-unread</c> for a check GitHub could not be read for).
/// <para>
/// Only actions that change production (<see cref="PolicyActions.IsMutating"/>) are held back by a low confidence:
/// alerts, issues and dependency checks only tell humans or read, and uncertainty is itself worth telling.
/// </para>
/// </remarks>
public sealed class ConfidenceRules
{
    private readonly IReadOnlyDictionary<string, ConfidenceThresholds> _perAction;

    /// <summary>Creates the rules from weights, default thresholds and per-action overrides.</summary>
    public ConfidenceRules(ConfidenceWeights weights, ConfidenceThresholds thresholds, IReadOnlyDictionary<string, ConfidenceThresholds>? perAction = null)
    {
        Weights = weights ?? throw new ArgumentNullException(nameof(weights));
        Thresholds = thresholds ?? throw new ArgumentNullException(nameof(thresholds));
        _perAction = perAction ?? new Dictionary<string, ConfidenceThresholds>(StringComparer.Ordinal);
    }

    /// <summary>The weights.</summary>
    public ConfidenceWeights Weights { get; }

    /// <summary>Thresholds of actions without their own.</summary>
    public ConfidenceThresholds Thresholds { get; }

    /// <summary>The confidence of a decision on <paramref name="evidence"/>.</summary>
    public Confidence Assess(ConfidenceEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var w = Weights;
        var parts = new List<(string Name, int Points)> { ("base", w.Base) };
        if (evidence.RequestedByOperator)
        {
            parts.Add(("operator-request", w.OperatorRequest));
        }
        else
        {
            switch (evidence.Situation)
            {
                case Situations.BuildFailed:
                    parts.Add(CrashDiagnosis.ClearBuildError(evidence.LogTail) is null ? ("unknown-failure", w.UnknownFailure) : ("clear-error-line", w.ClearErrorLine));
                    break;
                case Situations.CrashedOutOfMemory:
                    parts.Add(("out-of-memory-marker", w.OutOfMemoryMarker));
                    break;
                case Situations.CrashedConnectionRefused:
                    parts.Add(("connection-refused-marker", w.ConnectionRefusedMarker));
                    break;
                case Situations.CrashedTransient:
                    parts.Add(("generic-crash", w.GenericCrash));
                    break;
                case Situations.CrashedAgain:
                    parts.Add(("generic-crash", w.GenericCrash));
                    parts.Add(("crashed-after-restart", w.CrashedAfterRestart));
                    break;
                case Situations.DependencyDown:
                    parts.Add(("dependency-unhealthy", w.DependencyUnhealthy));
                    break;
                default:
                    parts.Add(("platform-status", w.PlatformStatus));
                    break;
            }
        }

        if (evidence.EarlierOccurrences > 0 && w.RepeatedFingerprint != 0)
        {
            parts.Add(("repeated-fingerprint", Math.Min(evidence.EarlierOccurrences * w.RepeatedFingerprint, w.RepeatedMax)));
        }

        var score = Math.Clamp(parts.Sum(p => p.Points), 0, 100);
        return new Confidence(score, parts.Select(p => $"{p.Name} {p.Points}").ToArray());
    }

    /// <summary>The confidence of one readiness check: <c>readiness-read</c> when it was judged on what GitHub returned, else <c>readiness-unread</c>.</summary>
    public int CheckConfidence(bool judgedOnWhatWasRead) => Math.Clamp(judgedOnWhatWasRead ? Weights.ReadinessRead : Weights.ReadinessUnread, 0, 100);

    /// <summary>The confidence of a readiness assessment: its least sure check's (a decision is as sure as its weakest evidence).</summary>
    public Confidence Assess(IReadOnlyList<ReadinessCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (checks.Count == 0)
        {
            return new Confidence(Math.Clamp(Weights.ReadinessUnread, 0, 100), ["no checks"]);
        }

        var weakest = checks.MinBy(c => c.Confidence)!;
        return new Confidence(weakest.Confidence, [$"least sure check: {weakest.Name} {weakest.Confidence}"]);
    }

    /// <summary>The thresholds of <paramref name="action"/> (its own, or the defaults).</summary>
    public ConfidenceThresholds For(string action) => _perAction.TryGetValue(action, out var own) ? own : Thresholds;

    /// <summary>Act, ask a human, or record only: <paramref name="action"/> at <paramref name="score"/>.</summary>
    public ConfidenceBand Band(string action, int score)
    {
        var thresholds = For(action);
        return score >= thresholds.Act ? ConfidenceBand.Act : score >= thresholds.Review ? ConfidenceBand.Review : ConfidenceBand.Record;
    }

    /// <summary>Reads the <c>confidence</c> section (weights, thresholds, per-action overrides under <c>actions</c>).</summary>
    /// <exception cref="SettingException">A missing or malformed key, an unknown action, or thresholds out of order; named in the exception.</exception>
    public static ConfidenceRules FromConfig(ConfigSection confidence)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        var weights = confidence.GetConfig("weights");
        int Weight(string key) => weights.GetInt(key);
        var parsed = new ConfidenceWeights(
            Weight("base"), Weight("platform-status"), Weight("clear-error-line"), Weight("unknown-failure"), Weight("out-of-memory-marker"),
            Weight("connection-refused-marker"), Weight("generic-crash"), Weight("crashed-after-restart"), Weight("dependency-unhealthy"),
            Weight("operator-request"), Weight("repeated-fingerprint"), Weight("repeated-max"), Weight("readiness-read"), Weight("readiness-unread"));
        foreach (var key in weights.Keys)
        {
            if (!KnownWeights.Contains(key))
            {
                throw new SettingException(weights.KeyOf(key), $"is not a confidence weight; known: {string.Join(", ", KnownWeights.Order())}.");
            }
        }

        var defaults = ReadThresholds(confidence.GetConfig("thresholds"), null);
        var perAction = new Dictionary<string, ConfidenceThresholds>(StringComparer.Ordinal);
        var actions = confidence.GetConfig("actions");
        foreach (var action in actions.Keys)
        {
            if (!PolicyActions.All.Contains(action))
            {
                throw new SettingException(actions.KeyOf(action), $"is not a policy action; known: {string.Join(", ", PolicyActions.All.Order())}.");
            }

            perAction[action] = ReadThresholds(actions.GetConfig(ConfigSection.Quote(action)), defaults);
        }

        return new ConfidenceRules(parsed, defaults, perAction);
    }

    private static readonly IReadOnlySet<string> KnownWeights = new HashSet<string>(StringComparer.Ordinal)
    {
        "base", "platform-status", "clear-error-line", "unknown-failure", "out-of-memory-marker", "connection-refused-marker", "generic-crash",
        "crashed-after-restart", "dependency-unhealthy", "operator-request", "repeated-fingerprint", "repeated-max", "readiness-read", "readiness-unread",
    };

    private static ConfidenceThresholds ReadThresholds(ConfigSection section, ConfidenceThresholds? defaults)
    {
        var act = defaults is null ? section.GetInt("act") : section.GetInt("act", defaults.Act);
        var review = defaults is null ? section.GetInt("review") : section.GetInt("review", defaults.Review);
        if (act is < 0 or > 100)
        {
            throw new SettingException(section.KeyOf("act"), "must be between 0 and 100.");
        }

        if (review < 0 || review > act)
        {
            throw new SettingException(section.KeyOf("review"), $"must be between 0 and the act threshold ({act}).");
        }

        return new ConfidenceThresholds(act, review);
    }
}
