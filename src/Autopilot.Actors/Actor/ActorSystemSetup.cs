using Microsoft.Extensions.Logging;

namespace Autopilot.Actors;

/// <summary>
/// What a host hands the actor system besides configuration: the clock (virtual in tests) and the logger factory
/// log events are written to.
/// </summary>
/// <param name="TimeProvider">The clock every timer uses; the system clock when null.</param>
/// <param name="LoggerFactory">Where log events go; the console (at the stdout level) when null.</param>
public sealed record ActorSystemSetup(TimeProvider? TimeProvider = null, ILoggerFactory? LoggerFactory = null);
