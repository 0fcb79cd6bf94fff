using System.Diagnostics;
using System.Globalization;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// <c>cli-vs-python [runs] [build...]</c>: the whole <c>opsassistant analyze FILE --no-llm</c> process, as a user runs it,
/// against <c>python3 -c 'import json; json.load(open(FILE))'</c> on the same file, for a generated 100k-span OTLP/JSON
/// file and a small one (50 spans). Every round runs Python and then each build once per file, so machine noise hits all
/// of them alike. Wall time is taken around the process (start to exit, stdout drained); CPU time (user + system, 10 ms
/// resolution, steadier than wall time on a shared machine) and peak RSS (the maximum resident set) are what
/// <c>/usr/bin/time</c> reports from <c>wait4</c>. A build is a path: an <c>opsassistant.dll</c>
/// runs under <c>dotnet</c> (framework-dependent), anything else is executed (the apphost or the native binary); a
/// <c>label=path</c> argument names it in the table. Each CLI run must exit 0 and name the planted culprit span, so a
/// build that silently fails cannot look fast.
/// </summary>
internal static class CliVsPythonCommand
{
    private const int BigSpans = 100_000;
    private const int SmallSpans = 50;

    public static int Run(string[] args)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 10;
        var builds = (args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out _) ? args[1..] : args)
            .Select(Build.Parse).ToList();
        if (builds.Count == 0)
        {
            builds.Add(Build.Parse(DefaultBuild()));
        }

        if (!File.Exists("/usr/bin/time"))
        {
            Console.Error.WriteLine("cli-vs-python: /usr/bin/time is needed for peak RSS (apt-get install time).");
            return 2;
        }

        var dir = Path.Combine(Path.GetTempPath(), "opsassistant-cli-vs-python");
        Directory.CreateDirectory(dir);
        var files = new[] { ("big", Generate(dir, BigSpans)), ("small", Generate(dir, SmallSpans)) };
        var commands = new List<Runner> { new("python3 json.load", "python3", ["-c", "import json, sys; json.load(open(sys.argv[1]))"], false) };
        commands.AddRange(builds.Select(b => new Runner(b.Label, b.FileName, [.. b.Prefix, "analyze"], true)));

        // One untimed round first: the page cache holds the files and every binary, as it does for a user's second run.
        foreach (var (_, file) in files)
        {
            foreach (var command in commands)
            {
                command.Measure(file, record: false);
            }
        }

        for (var i = 0; i < runs; i++)
        {
            foreach (var (_, file) in files)
            {
                foreach (var command in commands)
                {
                    command.Measure(file, record: true);
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cli-vs-python: {runs} alternating rounds, {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        foreach (var (name, file) in files)
        {
            var size = new FileInfo(file).Length;
            var python = commands[0].Results[file];
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {Path.GetFileName(file)}, {(name == "big" ? BigSpans : SmallSpans):N0} spans, {size / 1048576.0:0.0} MB"));
            Console.WriteLine("| command | wall median ms | wall min ms | ÷ python (medians) | CPU median ms | CPU ÷ python | peak RSS median MB | RSS ÷ file |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var command in commands)
            {
                var r = command.Results[file];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {command.Label} | {Median(r.WallMs):0} | {r.WallMs.Min():0} | {Median(r.WallMs) / Median(python.WallMs):0.00}× | {Median(r.CpuMs):0} | {Median(r.CpuMs) / Median(python.CpuMs):0.00}× | {Median(r.PeakKb) / 1024.0:0} | {Median(r.PeakKb) * 1024.0 / size:0.00}× |"));
            }
        }

        return 0;
    }

    private static string Generate(string dir, int spans)
    {
        var path = Path.Combine(dir, $"trace-{spans}.json");
        if (!File.Exists(path))
        {
            var partial = path + ".partial";
            using (var output = File.Create(partial))
            {
                LargeTraceGenerator.Write(output, spans);
            }

            File.Move(partial, path, overwrite: true);
        }

        return path;
    }

    /// <summary>The CLI as built next to this repository (framework-dependent), when no build is named.</summary>
    private static string DefaultBuild()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsAssistant.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("name a CLI build: cli-vs-python [runs] path/to/opsassistant[.dll]")
            : Path.Combine(dir.FullName, "src", "OpsAssistant.Cli", "bin", "Release", "net10.0", "opsassistant.dll");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private sealed record Build(string Label, string FileName, string[] Prefix)
    {
        public static Build Parse(string argument)
        {
            var split = argument.IndexOf('=', StringComparison.Ordinal);
            var path = Path.GetFullPath(split > 0 ? argument[(split + 1)..] : argument);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"no CLI build at {path}", path);
            }

            var label = split > 0 ? argument[..split] : Path.GetFileName(Path.GetDirectoryName(path)) + "/" + Path.GetFileName(path);
            return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new Build(label, "dotnet", [path]) : new Build(label, path, []);
        }
    }

    private sealed class Runner(string label, string fileName, string[] arguments, bool isCli)
    {
        public string Label { get; } = label;

        public Dictionary<string, (List<double> WallMs, List<double> CpuMs, List<double> PeakKb)> Results { get; } = [];

        public void Measure(string file, bool record)
        {
            var rss = Path.GetTempFileName();
            try
            {
                var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in (string[])["-f", "%M %U %S", "-o", rss, fileName, .. arguments, file])
                {
                    start.ArgumentList.Add(a);
                }

                if (isCli)
                {
                    start.ArgumentList.Add("--no-llm");
                }

                var watch = Stopwatch.StartNew();
                using var process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                var wall = watch.Elapsed.TotalMilliseconds;
                if (process.ExitCode != 0 || (isCli && !stdout.Contains(LargeTraceGenerator.CulpritSpanId, StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException($"{Label} on {file}: exit {process.ExitCode}, culprit {(stdout.Contains(LargeTraceGenerator.CulpritSpanId, StringComparison.Ordinal) ? "named" : "not named")}: {stderr.Result.Trim()}");
                }

                if (!record)
                {
                    return;
                }

                if (!Results.TryGetValue(file, out var r))
                {
                    Results[file] = r = ([], [], []);
                }

                r.WallMs.Add(wall);
                var usage = File.ReadAllLines(rss).Last(l => l.Length > 0).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                r.PeakKb.Add(usage[0]);
                r.CpuMs.Add((usage[1] + usage[2]) * 1000);
            }
            finally
            {
                File.Delete(rss);
            }
        }
    }
}
