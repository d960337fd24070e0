using Autopilot.Cli;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C ends `audit tail -f` cleanly (exit 0) instead of killing the process mid-line.
    e.Cancel = true;
    interrupted.Cancel();
};
return await AutopilotCli.RunAsync(args, CliEnvironment.Process(), interrupted.Token);
