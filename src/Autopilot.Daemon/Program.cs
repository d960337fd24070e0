using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Runtime;

return await DaemonProgram.RunAsync(args, OrchestratorWiring.Create);
