namespace Autopilot.Daemon.SelfWatch;

/// <summary>How full the file system holding a directory is.</summary>
/// <param name="UsedBytes">Bytes in use (total minus what is available to this process).</param>
/// <param name="TotalBytes">The file system's size.</param>
public sealed record DiskUsage(long UsedBytes, long TotalBytes)
{
    /// <summary>Used share, 0 to 1.</summary>
    public double UsedRatio => TotalBytes <= 0 ? 0 : (double)UsedBytes / TotalBytes;

    /// <summary>
    /// The file system of <paramref name="directory"/> (or of its nearest existing parent: the data directory is created
    /// on first write), or null when none can be read.
    /// </summary>
    public static DiskUsage? Of(string directory)
    {
        var path = Path.GetFullPath(directory);
        while (!Directory.Exists(path))
        {
            var parent = Path.GetDirectoryName(path);
            if (parent is null || parent == path)
            {
                return null;
            }

            path = parent;
        }

        try
        {
            var drive = new DriveInfo(path);
            return new DiskUsage(drive.TotalSize - drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
