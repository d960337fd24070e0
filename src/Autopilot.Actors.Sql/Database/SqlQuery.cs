namespace Autopilot.Actors.Sql.Database;

/// <summary>
/// One statement in a back end's own SQL dialect and parameter style, built fresh for each run (a driver's
/// parameter belongs to one command), so the shared journal and snapshot store code can run it without knowing
/// either.
/// </summary>
/// <param name="Text">The SQL text.</param>
/// <param name="Parameters">Its parameters, positional or named as the back end expects.</param>
internal sealed record SqlQuery(string Text, IReadOnlyList<DbParameter> Parameters);
