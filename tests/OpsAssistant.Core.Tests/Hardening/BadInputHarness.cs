using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Runs one reader over one hostile input on its own thread with an ordinary 1 MB stack, so a stack overflow, a hang
/// (guarded by a generous join timeout, never a speed assertion) or an exception of the wrong type is caught and named.
/// Every input is counted once per suite (by hash) for the issue note; every failing small input is saved under
/// <c>tests/corpus/&lt;suite&gt;/</c> so the corpus replay test keeps it for good.
/// </summary>
internal static class BadInputHarness
{
    /// <summary>A hang guard, not a speed budget: far beyond what any input should take even on a loaded CI machine.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private const int MaxSavedBytes = 64 * 1024;

    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> Tried = new(StringComparer.Ordinal);

    static BadInputHarness() => AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteCounts();

    /// <summary>Distinct inputs tried so far in this process, per suite.</summary>
    public static IReadOnlyDictionary<string, int> Counts => Tried.ToDictionary(pair => pair.Key, pair => pair.Value.Count, StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="input"/>; returns null when the reader returned or threw only <paramref name="allowed"/>,
    /// otherwise a description of what went wrong (after saving the input to the corpus).
    /// </summary>
    /// <param name="maxAllocatedBytes">When set, the most the read may allocate on its thread.</param>
    public static string? Check(string suite, byte[] input, Action<byte[]> read, Type allowed, long? maxAllocatedBytes = null, bool keep = true)
    {
        var hash = Record(suite, input);

        Exception? thrown = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(input);
            }
#pragma warning disable CA1031 // the point is to see every exception type
            catch (Exception ex)
#pragma warning restore CA1031
            {
                thrown = ex;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 1024 * 1024)
        { IsBackground = true, Name = "bad-input " + suite };
        thread.Start();

        string? failure = null;
        if (!thread.Join(HangGuard))
        {
            failure = $"did not finish within the {HangGuard.TotalSeconds:0} s hang guard";
        }
        else if (thrown is not null && !allowed.IsInstanceOfType(thrown))
        {
            failure = $"threw {thrown.GetType().FullName} instead of {allowed.Name}: {thrown}";
        }
        else if (maxAllocatedBytes is { } max && allocated > max)
        {
            failure = $"allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (limit {max:N0})";
        }

        if (failure is null)
        {
            return null;
        }

        var saved = keep ? Save(suite, input, hash) : null;
        return $"{suite} input {hash[..16]} ({input.Length:N0} bytes{(saved is null ? ", not kept: regenerate it in code" : ", saved as " + saved)}) {failure}";
    }

    /// <summary>Counts an input tried by a suite that checks it another way (through HTTP, say); returns its hash.</summary>
    public static string Record(string suite, byte[] input)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(input));
        Tried.GetOrAdd(suite, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).TryAdd(hash, 0);
        return hash;
    }

    /// <summary>Keeps a failing input found outside <see cref="Check"/>; returns where, or null when it is not kept.</summary>
    public static string? Keep(string suite, byte[] input) => Save(suite, input, Record(suite, input));

    /// <summary>Asserts <see cref="Check"/> passed, for example-based tests.</summary>
    public static void Assert(string suite, byte[] input, Action<byte[]> read, Type allowed, long? maxAllocatedBytes = null, bool keep = true)
    {
        if (Check(suite, input, read, allowed, maxAllocatedBytes, keep) is { } failure)
        {
            Xunit.Assert.Fail(failure);
        }
    }

    public static string CorpusDirectory(string suite) => Path.Combine(RepoRoot(), "tests", "corpus", suite);

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsAssistant.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpsAssistant.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? Save(string suite, byte[] input, string hash)
    {
        if (input.Length > MaxSavedBytes || Environment.GetEnvironmentVariable("CI") == "true")
        {
            return null;
        }

        var dir = CorpusDirectory(suite);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, hash[..16] + ".bin");
        File.WriteAllBytes(path, input);
        return Path.GetRelativePath(RepoRoot(), path);
    }

    private static void WriteCounts()
    {
        var lines = Counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}\t{pair.Value}");
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "bad-inputs." + AppDomain.CurrentDomain.FriendlyName + ".tsv"), lines);
    }
}
