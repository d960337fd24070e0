using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Policy;

/// <summary>
/// The readable decision table: situation → actions, read from <c>autopilot.agents.policy</c>. The orchestrator's
/// decide step is a lookup in this table (plus the safety rails), so operators can read and change what the autopilot
/// does without reading code.
/// </summary>
public sealed class PolicyTable
{
    /// <summary>The prefix that marks an action in the table as waiting for a human, e.g. <c>approve:rollback</c>.</summary>
    public const string ApprovePrefix = "approve:";

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _rules;
    private readonly IReadOnlySet<string> _approvals;

    private PolicyTable(IReadOnlyDictionary<string, IReadOnlyList<string>> rules, IReadOnlySet<string> approvals)
    {
        _rules = rules;
        _approvals = approvals;
    }

    /// <summary>The rules, situation → actions in execution order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Rules => _rules;

    /// <summary>The actions for <paramref name="situation"/>; none when the table has no rule for it.</summary>
    public IReadOnlyList<string> ActionsFor(string situation) => _rules.TryGetValue(situation, out var actions) ? actions : [];

    /// <summary>
    /// Whether the table lists <paramref name="action"/> for <paramref name="situation"/> as <c>approve:action</c>: the
    /// orchestrator then asks a human (Telegram, <c>autopilot approve</c>) instead of acting, and acts only once approved.
    /// </summary>
    public bool RequiresApproval(string situation, string action) => _approvals.Contains($"{situation}\n{action}");

    /// <summary>
    /// Reads the table from the <c>policy</c> section (<paramref name="policy"/> is that section; its keys are situations,
    /// its values lists of actions).
    /// </summary>
    /// <exception cref="SettingException">An unknown situation or action, or a value that is not a list; the exception names the key.</exception>
    public static PolicyTable FromConfig(ConfigSection policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rules = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var approvals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var situation in policy.Keys)
        {
            var key = policy.KeyOf(situation);
            if (!Situations.All.Contains(situation))
            {
                throw new SettingException(key, $"Unknown situation \"{situation}\" in the policy table; known situations: {string.Join(", ", Situations.All.Order())}.");
            }

            var actions = new List<string>();
            foreach (var entry in policy.GetStringList(situation))
            {
                var action = entry.StartsWith(ApprovePrefix, StringComparison.Ordinal) ? entry[ApprovePrefix.Length..] : entry;
                if (action.Length != entry.Length && PolicyActions.IsAlert(action))
                {
                    throw new SettingException(key, $"\"{entry}\" for situation \"{situation}\": only actions that change something can wait for approval, not alerts.");
                }

                if (action.Length != entry.Length)
                {
                    approvals.Add($"{situation}\n{action}");
                }

                actions.Add(action);
                if (!PolicyActions.All.Contains(action))
                {
                    throw new SettingException(key, $"Unknown action \"{action}\" for situation \"{situation}\"; known actions: {string.Join(", ", PolicyActions.All.Order())}.");
                }
            }

            if (actions.Distinct(StringComparer.Ordinal).Count() != actions.Count)
            {
                throw new SettingException(key, $"Situation \"{situation}\" names an action twice.");
            }

            rules[situation] = actions;
        }

        return new PolicyTable(rules, approvals);
    }
}
