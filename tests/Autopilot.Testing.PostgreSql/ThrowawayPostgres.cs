using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace Autopilot.Testing.PostgreSql;

/// <summary>
/// A real PostgreSQL server started from this machine's binaries for tests and benchmarks: its own temporary data
/// directory, listening on 127.0.0.1 on a free port, password authentication, fsync and synchronous commit on (so
/// durability and crash tests mean something). Killed and its data deleted on dispose.
/// </summary>
/// <remarks>
/// Use it as an xunit collection fixture so a test run starts one server, not one per test:
/// <c>[CollectionDefinition("postgres")] public class PostgresCollection : ICollectionFixture&lt;ThrowawayPostgres&gt;;</c>
/// and give each test class its own database with <see cref="CreateDatabaseAsync"/>. When the process runs as root,
/// the server programs run as the <c>postgres</c> OS user (PostgreSQL refuses to run as root).
/// </remarks>
public sealed partial class ThrowawayPostgres : IAsyncLifetime, IDisposable
{
    private const string Superuser = "postgres";
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"autopilot-pg-{Guid.NewGuid():N}");
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private PostgresBinaries? _binaries;
    private bool _running;
    private bool _disposed;

    /// <summary>TCP port the server listens on (fixed for the server's life, also across restarts).</summary>
    public int Port { get; private set; }

    /// <summary>Connection string of the default <c>postgres</c> database as the superuser (contains the password).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>The superuser's password (random per server), for tests that check it never leaks.</summary>
    public string Password => _password;

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Starts a server outside xunit (benchmarks); dispose it to kill it.</summary>
    public static async Task<ThrowawayPostgres> StartNewAsync()
    {
        var server = new ThrowawayPostgres();
        try
        {
            await server.InitializeAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Creates the database cluster and starts the server (called by xunit for fixtures).</summary>
    public async Task InitializeAsync()
    {
        _binaries = PostgresBinaries.Locate();
        Directory.CreateDirectory(_root);
        Port = FreePort();
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, _password).ConfigureAwait(false);
        if (Environment.IsPrivilegedProcess)
            await RunAsync("chown", ["-R", $"{Superuser}:", _root], asServerUser: false).ConfigureAwait(false);
        await RunAsync(_binaries.InitDb,
            ["-D", DataDirectory, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-locale", "--no-sync"],
            asServerUser: true).ConfigureAwait(false);
        File.Delete(passwordFile);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>Connection string of <paramref name="database"/> as the superuser.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Password = _password,
            Database = database,
            Timeout = 15,
            CommandTimeout = 60,
        }.ConnectionString;

    /// <summary>
    /// Creates an empty database named after <paramref name="purpose"/> (made unique) and returns its connection
    /// string: one per test class keeps classes from seeing each other's data.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var slug = NonIdentifierCharacters().Replace(purpose.ToLowerInvariant(), "_");
        var name = $"{slug[..Math.Min(slug.Length, 40)]}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return ConnectionStringFor(name);
    }

    /// <summary>Starts the server (after <see cref="StopAsync"/>); returns when it accepts connections.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_running)
                return;
            var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_root} " +
                          "-c fsync=on -c synchronous_commit=on -c max_connections=200";
            await RunAsync(_binaries!.PgCtl,
                ["-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o", options, "start"],
                asServerUser: true).ConfigureAwait(false);
            _running = true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected, committed data stays).</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_running)
                return;
            await RunAsync(_binaries!.PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], asServerUser: true).ConfigureAwait(false);
            NpgsqlConnection.ClearAllPools();
            _running = false;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops and starts the server on the same port and data, as an operator restarting PostgreSQL would.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the server at once and deletes its data.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        NpgsqlConnection.ClearAllPools();
        Kill();
        try
        {
            if (Directory.Exists(_root))
                Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A server process that is still exiting may hold files; the OS temp cleaner takes the rest.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        try
        {
            if (!File.Exists(pidFile))
                return;
            var pid = int.Parse(File.ReadLines(pidFile).First().Trim());
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
            postmaster.WaitForExit(10_000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException
                                      or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        _running = false;
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServerUser)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asServerUser && Environment.IsPrivilegedProcess)
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", Superuser, "--", program })
                info.ArgumentList.Add(a);
        }
        else
        {
            info.FileName = program;
        }

        foreach (var a in arguments)
            info.ArgumentList.Add(a);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "server.log");
            var serverLog = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
            var message = new StringBuilder(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments.Take(1))}… exited with {process.ExitCode}: " +
                $"{await error.ConfigureAwait(false)} {await output.ConfigureAwait(false)}");
            if (serverLog.Length > 0)
                message.Append($"\nserver log:\n{serverLog}");
            throw new InvalidOperationException(message.ToString().Replace(_password, "***", StringComparison.Ordinal));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifierCharacters();
}
