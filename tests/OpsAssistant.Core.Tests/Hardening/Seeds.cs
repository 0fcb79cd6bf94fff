using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Real, valid inputs to mutate: the copied public trace files and the eval cases, grouped by the format the reader
/// detects in them. Large files are left to the truncation tests so random mutation stays fast.
/// </summary>
internal static class Seeds
{
    public const int MaxRandomSeedBytes = 64 * 1024;

    public static readonly string[] JsonFormats = ["otlp-json", "tempo", "jaeger-v1", "jaeger-v3", "zipkin-v2"];

    private static readonly Lazy<Dictionary<string, List<(string Name, byte[] Bytes)>>> ByFormat = new(Load);

    public static IReadOnlyList<(string Name, byte[] Bytes)> For(string format) => ByFormat.Value[format];

    public static string Suite(TraceFormat format) => format switch
    {
        TraceFormat.OtlpJson => "otlp-json",
        TraceFormat.Tempo => "tempo",
        TraceFormat.JaegerV1 => "jaeger-v1",
        TraceFormat.JaegerV3 => "jaeger-v3",
        TraceFormat.ZipkinV2 => "zipkin-v2",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static Dictionary<string, List<(string Name, byte[] Bytes)>> Load()
    {
        var root = BadInputHarness.RepoRoot();
        var files = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.json", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".manifest.json", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "eval", "cases"), "trace.json", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        var seeds = JsonFormats.ToDictionary(f => f, _ => new List<(string, byte[])>(), StringComparer.Ordinal);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            TraceReadResult result;
            try
            {
                result = TraceReader.Read(bytes);
            }
            catch (TraceFormatException)
            {
                continue;
            }

            seeds[Suite(result.Format)].Add((Path.GetRelativePath(root, file), bytes));
        }

        return seeds;
    }
}
