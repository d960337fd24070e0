using Autopilot.Actors.Persistence.TCK;

namespace Autopilot.Actors.Sql.CrashWriter;

/// <summary>
/// The event the crash writer stores at (stream, sequence nr): derived from both, so a reader can tell an intact
/// event from a torn or misplaced one. Shared with the crash test through this project's source.
/// </summary>
public static class CrashPayload
{
    public static TckNote For(string persistenceId, long sequenceNr) =>
        new($"{persistenceId}#{sequenceNr}#{string.Concat(Enumerable.Repeat((char)('a' + (sequenceNr % 26)), 64))}", (int)(sequenceNr % 1000));

    /// <summary>The acknowledgement line printed once an event is durable; the trailing marker proves the line is complete.</summary>
    public static string AckLine(string persistenceId, long sequenceNr) => $"ack {persistenceId} {sequenceNr} ok";

    /// <summary>Parses a complete acknowledgement line, or returns false for anything else (e.g. a line cut by the kill).</summary>
    public static bool TryParseAck(string? line, out string persistenceId, out long sequenceNr)
    {
        persistenceId = "";
        sequenceNr = 0;
        var parts = line?.Split(' ');
        if (parts is not ["ack", var pid, var seq, "ok"] || !long.TryParse(seq, out sequenceNr))
            return false;
        persistenceId = pid;
        return true;
    }
}
