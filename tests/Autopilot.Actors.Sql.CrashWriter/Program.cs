// Writes events as fast as it can through the group commit until it is killed, printing each acknowledged
// (persistence id, sequence nr). The crash test SIGKILLs it at a random moment and then checks the journal.
// Usage: CrashWriter <sqlite|postgresql> <connection string> <streams> <stream prefix>
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.TCK;
using Autopilot.Actors.Sql;
using Autopilot.Actors.Sql.CrashWriter;
using Microsoft.Extensions.Logging.Abstractions;

if (args.Length != 4 || !int.TryParse(args[2], out var streams))
{
    Console.Error.WriteLine("usage: CrashWriter <sqlite|postgresql> <connection string> <streams> <stream prefix>");
    return 2;
}

await using var plugin = PersistencePlugins.Create(args[0], args[1], PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System);
await plugin.Journal.StartAsync(CancellationToken.None);
Console.Out.WriteLine("ready");

await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
{
    var pid = $"{args[3]}-{s}";
    // Recover like a persistent actor: continue after what is durable.
    var next = await plugin.Journal.ReadHighestSequenceNrAsync(pid) + 1;
    for (var round = 0; ; round++)
    {
        // Alternate Persist (one event) and PersistAll (three events in one atomic write).
        var count = round % 2 == 0 ? 1 : 3;
        var events = Enumerable.Range(0, count)
            .Select(i => new PersistentEvent(pid, next + i, CrashPayload.For(pid, next + i), [], DateTimeOffset.UtcNow))
            .ToArray();
        await plugin.Journal.WriteAsync(new AtomicWrite(pid, events));
        foreach (var e in events)
            Console.Out.WriteLine(CrashPayload.AckLine(pid, e.SequenceNr));
        next += count;
    }
})));
return 0;
