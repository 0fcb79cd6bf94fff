using System.Globalization;
using Npgsql;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// The CPU time of a PostgreSQL cluster running on this machine: its postmaster, every process it started that is still
/// running (backends, WAL writer, checkpointer, ...) and the children it has already reaped, from <c>/proc</c>. A store
/// benchmark that counts only its own process hides the server's share of each write and read; this counts it. The cluster
/// is found from a connection's backend (its parent is the postmaster), so a cluster on another host reads as unknown.
/// Other clients of the same cluster are counted too: on a shared cluster the figure is an upper bound.
/// </summary>
internal sealed class PostgresServerCpu
{
    // /proc counts in USER_HZ, 100 per second on every Linux the kernel ABI allows.
    private const double TicksPerMs = 100 / 1000.0;

    private readonly int _postmaster;

    private PostgresServerCpu(int postmaster) => _postmaster = postmaster;

    /// <summary>The cluster behind <paramref name="connectionString"/>, or null when it does not run on this machine.</summary>
    public static async Task<PostgresServerCpu?> FindAsync(string connectionString)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return Stat(backend) is { } stat ? new PostgresServerCpu(stat.Parent) : null;
    }

    /// <summary>CPU milliseconds the cluster has used so far (user and system); compare two readings.</summary>
    public double Milliseconds()
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (Stat(pid) is { } stat && (pid == _postmaster || stat.Parent == _postmaster))
            {
                ticks += stat.Ticks + (pid == _postmaster ? stat.ChildTicks : 0);
            }
        }

        return ticks / TicksPerMs;
    }

    /// <summary>A process's parent and CPU ticks (its own; its reaped children's), or null when it is gone.</summary>
    private static (int Parent, long Ticks, long ChildTicks)? Stat(int pid)
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
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }
}
