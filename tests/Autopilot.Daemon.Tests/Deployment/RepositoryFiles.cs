namespace Autopilot.Daemon.Tests.Deployment;

/// <summary>Files of the repository the tests check as shipped (compose file, Dockerfile, example configuration).</summary>
public static class RepositoryFiles
{
    /// <summary>The repository root: the first directory above the test binaries that holds Autopilot.Actors.sln.</summary>
    public static readonly string Root = Find();

    /// <summary>The full path of <paramref name="parts"/> under the root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Autopilot.Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Autopilot.Actors.sln) was not found above the test binaries.");
    }
}
