// A PostgreSQL lease holder in its own process, for tests that pause it with SIGSTOP.
//
// Usage: PauseHolder <lease-name> <owner host:port> <heartbeat-timeout> <heartbeat-interval>
// The connection string comes from the AUTOPILOT_LEASE_CONNECTION environment variable (never the command line,
// which any user can read with ps). Commands on stdin, one per line, each answered with one line on stdout:
//   acquire  -> "acquire true <token>" | "acquire false -"
//   check    -> "check true <token>"   | "check false -"
//   release  -> "release true" | "release false"
// plus, at any time, "lost <exception type>" when the lost-lease callback fires, and "ready <owner>" at start.
// A failed command answers "error <exception type>".
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Autopilot.Coordination.PostgreSql;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: PauseHolder <lease-name> <owner host:port> <heartbeat-timeout> <heartbeat-interval>");
    return 2;
}

var connectionString = Environment.GetEnvironmentVariable("AUTOPILOT_LEASE_CONNECTION");
if (string.IsNullOrEmpty(connectionString))
{
    Console.Error.WriteLine("AUTOPILOT_LEASE_CONNECTION is not set");
    return 2;
}

var escaped = connectionString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
var config = ConfigurationFactory.ParseString($$"""
    akka.stdout-loglevel = WARNING
    akka.loglevel = WARNING
    {{PostgreSqlLease.DefaultConfigPath}} {
      connection-string = "{{escaped}}"
      heartbeat-timeout = {{args[2]}}
      heartbeat-interval = {{args[3]}}
    }
    """).WithFallback(PostgreSqlLease.DefaultConfig());

// Protocol lines get stdout to themselves; everything else that writes to Console.Out (Akka's logging) goes to stderr.
var output = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
Console.SetOut(Console.Error);
using var system = ActorSystem.Create("pause-holder", config);
var lease = (PostgreSqlLease)LeaseProvider.Get(system).GetLease(args[0], PostgreSqlLease.DefaultConfigPath, args[1]);
output.WriteLine($"@ready {lease.Owner}");

while (Console.ReadLine() is { } line)
{
    try
    {
        switch (line.Trim())
        {
            case "acquire":
                var acquired = await lease.Acquire(e => output.WriteLine($"@lost {e.GetType().Name}"));
                output.WriteLine(acquired ? $"@acquire true {lease.FencingToken?.ToString() ?? "-"}" : "@acquire false -");
                break;
            case "check":
                output.WriteLine(lease.TryGetFencingToken(out var token) ? $"@check true {token}" : "@check false -");
                break;
            case "release":
                output.WriteLine($"@release {(await lease.Release() ? "true" : "false")}");
                break;
            case "":
                break;
            default:
                output.WriteLine($"@error unknown command {line}");
                break;
        }
    }
    catch (Exception e)
    {
        output.WriteLine($"@error {e.GetType().Name}");
    }
}

await system.Terminate();
return 0;
