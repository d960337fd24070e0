using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// The runtime's settings, read from the <c>autopilot.actor</c> section of the configuration (defaults in the
/// embedded <c>reference.conf</c>).
/// </summary>
/// <param name="Throughput">Messages an actor processes per turn on a thread before yielding it.</param>
/// <param name="AskTimeout">Default <c>Ask</c> timeout. Finite on purpose: an infinite default hides lost replies.</param>
/// <param name="DefaultMailbox">Mailbox for actors whose props name none.</param>
/// <param name="LogLevel">Minimum level published on the event stream.</param>
/// <param name="StdoutLogLevel">Minimum level written to the console when no logger factory is given.</param>
/// <param name="GuardianStrategy">How <c>/user</c> supervises top-level actors.</param>
/// <param name="Shutdown">Coordinated-shutdown phases and timeouts.</param>
public sealed record ActorSystemSettings(
    int Throughput,
    TimeSpan AskTimeout,
    MailboxSettings DefaultMailbox,
    LogLevel LogLevel,
    LogLevel StdoutLogLevel,
    SupervisorStrategy GuardianStrategy,
    CoordinatedShutdownSettings Shutdown);
