using System.Globalization;
using Npgsql;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// The CPU time a PostgreSQL cluster running on this machine spends for one application, from <c>/proc</c>: the backends
/// serving the connections whose <c>application_name</c> is the given one, plus the postmaster and the cluster's own
/// processes (WAL writer, checkpointer, background writer, ...), which work for every client. Other clients' backends (a
/// shared cluster) are left out. A store benchmark that counts only its own process hides the server's share of each
/// write and read; this counts it. The cluster is found from a connection's backend (its parent is the postmaster), so a
/// cluster on another host reads as unknown. A backend that ends between two readings loses its time, so read while the
/// application's connections are open.
/// </summary>
internal sealed class PostgresServerCpu
{
    // /proc counts in USER_HZ, 100 per second on every Linux the kernel ABI allows.
    private const double TicksPerMs = 100 / 1000.0;

    private readonly int _postmaster;
    private readonly string _connectionString;
    private readonly string _applicationName;

    private PostgresServerCpu(int postmaster, string connectionString, string applicationName) =>
        (_postmaster, _connectionString, _applicationName) = (postmaster, connectionString, applicationName);

    /// <summary>
    /// The cluster behind <paramref name="connectionString"/> as used by connections named <paramref name="applicationName"/>,
    /// or null when it does not run on this machine.
    /// </summary>
    public static async Task<PostgresServerCpu?> FindAsync(string connectionString, string applicationName)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return Stat(backend) is { } stat ? new PostgresServerCpu(stat.Parent, connectionString, applicationName) : null;
    }

    /// <summary>CPU milliseconds spent for the application so far (user and system); compare two readings.</summary>
    public async Task<double> MillisecondsAsync()
    {
        var ours = new HashSet<int>();
        var backends = new HashSet<int>();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pid, application_name = $1 FROM pg_stat_activity WHERE backend_type = 'client backend'", connection)
            {
                Parameters = { new NpgsqlParameter { Value = _applicationName } },
            };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                (reader.GetBoolean(1) ? ours : backends).Add(reader.GetInt32(0));
            }
        }

        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || backends.Contains(pid))
            {
                continue;
            }

            // The postmaster's own time, not its reaped children's: those were other clients' backends as well as ours.
            if (Stat(pid) is { } stat && (pid == _postmaster || (stat.Parent == _postmaster && (ours.Contains(pid) || !IsBackend(pid)))))
            {
                ticks += stat.Ticks;
            }
        }

        return ticks / TicksPerMs;
    }

    /// <summary>Whether a child of the postmaster serves a client (including one that started after the list was read).</summary>
    private static bool IsBackend(int pid)
    {
        try
        {
            // Auxiliary processes are titled "postgres: walwriter" and the like; a backend "postgres: user database host(port) ...".
            var words = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return words.Length > 3 && (words[3].Contains('(', StringComparison.Ordinal) || words[3] == "[local]");
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>A process's parent and CPU ticks, or null when it is gone.</summary>
    private static (int Parent, long Ticks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may hold spaces: fields are counted from after its closing one.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15));
    }
}
