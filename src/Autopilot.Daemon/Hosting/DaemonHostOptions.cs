using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Hosting;

/// <summary>How to build a daemon host: the command line's choices plus what tests and embedders replace.</summary>
public sealed record DaemonHostOptions
{
    /// <summary>The <c>--config</c> file, or null for the embedded defaults only.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>HOCON text that wins over the file (the simulator's endpoints, a test's port and journal), or null.</summary>
    public string? Overrides { get; init; }

    /// <summary>Builds the orchestrator tree inside the actor system (Akka.Hosting's <c>WithActors</c>).</summary>
    public required OrchestratorFactory OrchestratorFactory { get; init; }

    /// <summary>The clock of the platform clients, the fakes and the HTTP edge (actors use the actor system's scheduler).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Environment lookup for <c>${?VAR}</c> in every HOCON layer; null (the default) lets Akka's parser read the process
    /// environment. Tests pass <c>_ =&gt; null</c> for an empty environment or a dictionary lookup.
    /// </summary>
    public Func<string, string?>? EnvironmentVariables { get; init; }

    /// <summary>Base of relative paths (data directory); the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Where log lines go; the console when null.</summary>
    public TextWriter? LogOutput { get; init; }

    /// <summary>JSON log lines (true) or text; by default JSON unless stdout is a terminal.</summary>
    public bool JsonLogs { get; init; } = Console.IsOutputRedirected;

    /// <summary>Last say over the web host, after Kestrel is bound (tests swap in the ASP.NET test server).</summary>
    public Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureWebHost { get; init; }
}
