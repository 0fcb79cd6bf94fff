using System.Text;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Produces the eval set. Each scenario gets its own <see cref="Random"/> seeded from the run seed and the scenario's
/// name, so adding or reordering scenarios never changes the bytes of the others.
/// </summary>
internal static class CaseGenerator
{
    // 2025-06-02T00:00:00Z in microseconds: a fixed epoch keeps the output independent of the clock.
    private const long EpochUs = 1_748_822_400_000_000;

    public static IReadOnlyList<Scenario> Scenarios { get; } =
    [
        .. ErrorScenarios.All(),
        .. LatencyScenarios.All(),
        .. RepetitionScenarios.All(),
        .. WaitScenarios.All(),
        .. ColdStartScenarios.All(),
        .. Families.All(),
    ];

    public static GeneratedCase Build(Scenario scenario, int seed)
    {
        var hash = Fnv1a(scenario.Name);
        var random = new Random(unchecked((int)(hash ^ (uint)seed)));
        var builder = new TraceBuilder(random, EpochUs + (long)(hash % 86_400) * 1_000_000);
        var label = scenario.Build(builder);
        var trace = builder.Build();
        // Drawn after the trace, so a plan never changes the trace's bytes.
        var baseline = builder.Baseline?.Write(trace, builder.EpochUs, random);
        return new GeneratedCase(scenario, trace, label, builder.Summary ?? scenario.Summary, baseline);
    }

    /// <summary>The files of one generated case, keyed by file name.</summary>
    public static IReadOnlyList<(string File, byte[] Content)> Render(GeneratedCase generated)
    {
        var trace = generated.Scenario.Format switch
        {
            WireFormat.JaegerV1 => JaegerV1Emitter.Emit(generated.Trace),
            WireFormat.ZipkinV2 => ZipkinV2Emitter.Emit(generated.Trace),
            _ => OtlpJsonEmitter.Emit(generated.Trace, generated.Scenario.Format),
        };
        List<(string File, byte[] Content)> files =
        [
            ("trace.json", trace),
            ("expected.json", Expected(generated.Trace.TraceId, generated.Label, FormatName(generated.Scenario.Format), generated.Summary, generated.Trace.Spans.Count,
                generated.Scenario.Family)),
        ];
        if (generated.Baseline is { } baseline)
        {
            files.Add(("baseline.json", baseline));
        }

        return files;
    }

    /// <summary>
    /// The case's <c>expected.json</c>. A healthy trace gets <c>"rootCause": null</c> and the category <c>healthy</c>; a randomized
    /// variant names its <c>family</c> (informational, like <c>format</c>, <c>spans</c> and <c>scenario</c>).
    /// </summary>
    public static byte[] Expected(string traceId, RootCauseLabel? label, string format, string summary, int? spans, string? family = null) => Json.Write(true, w =>
    {
        w.WriteStartObject();
        w.WriteString("traceId", traceId);
        if (label is null)
        {
            w.WriteNull("rootCause");
            w.WriteString("category", "healthy");
        }
        else
        {
            w.WriteStartObject("rootCause");
            w.WriteString("service", label.Service);
            w.WriteString("span", label.Span);
            w.WriteString("kind", label.Kind);
            w.WriteEndObject();
        }

        if (family is not null)
        {
            w.WriteString("family", family);
        }

        w.WriteString("format", format);
        if (spans is { } count)
        {
            w.WriteNumber("spans", count);
        }

        w.WriteString("scenario", summary);
        w.WriteEndObject();
    });

    public static string FormatName(WireFormat format) => format switch
    {
        WireFormat.OtlpJson => "otlp-json",
        WireFormat.Tempo => "tempo",
        WireFormat.JaegerV1 => "jaeger-v1",
        WireFormat.JaegerV3 => "jaeger-v3",
        _ => "zipkin-v2",
    };

    /// <summary>Writes every generated case (and the fixtures, when their directory is given) under <paramref name="outDir"/>.</summary>
    public static int WriteAll(int seed, string outDir, string? fixturesDir, TextWriter log)
    {
        var written = 0;
        foreach (var scenario in Scenarios)
        {
            var generated = Build(scenario, seed);
            var dir = Path.Combine(outDir, scenario.Name);
            Directory.CreateDirectory(dir);
            foreach (var (file, content) in Render(generated))
            {
                File.WriteAllBytes(Path.Combine(dir, file), content);
            }

            var label = generated.Label is { } l ? $"{l.Kind}: {l.Service} / {l.Span}" : "healthy";
            log.WriteLine($"{scenario.Name,-44} {FormatName(scenario.Format),-10} {generated.Trace.Spans.Count,6} spans  {label}");
            written++;
        }

        if (fixturesDir is null)
        {
            log.WriteLine("fixtures: no directory given or found; committed fixture cases left as they are");
            return written;
        }

        foreach (var fixture in FixtureCase.All)
        {
            var dir = Path.Combine(outDir, fixture.CaseName);
            Directory.CreateDirectory(dir);
            File.Copy(Path.Combine(fixturesDir, fixture.FixtureFile), Path.Combine(dir, "trace.json"), overwrite: true);
            File.WriteAllBytes(Path.Combine(dir, "expected.json"), Expected(fixture.TraceId, fixture.Label, "otlp-json", fixture.Summary, null));
            log.WriteLine($"{fixture.CaseName,-44} {"otlp-json",-10} {"",6}        {fixture.Label.Kind}: {fixture.Label.Service} / {fixture.Label.Span}");
            written++;
        }

        return written;
    }

    // string.GetHashCode is randomised per process; the seed derivation must not be.
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
