using Akka.Configuration;

namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>
/// Actor-system settings for TestKit tests of the daemon's persistent actors: Akka's <c>TestScheduler</c> (virtual
/// time, advanced by the test) and the Persistence TestKit's journal, which a test can make fail or reject writes.
/// </summary>
public static class VirtualTimeJournal
{
    /// <summary>The journal plugin's path, for <c>JournalActorOf</c>-style lookups.</summary>
    public const string JournalPath = "akka.persistence.journal.test";

    /// <summary>The settings.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = WARNING
          scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
          test.single-expect-default = 10s
          persistence {
            journal {
              plugin = "{{JournalPath}}"
              test {
                class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
                plugin-dispatcher = "akka.actor.default-dispatcher"
                recovery-event-timeout = 1h
              }
            }
            snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
          }
        }
        """);
}
