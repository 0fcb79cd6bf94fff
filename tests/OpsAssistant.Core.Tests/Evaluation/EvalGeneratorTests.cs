using System.Text.Json;
using OpsAssistant.EvalGenerator;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalGeneratorTests
{
    private static Dictionary<string, byte[]> Generate(int seed) =>
        CaseGenerator.Scenarios
            .SelectMany(s => CaseGenerator.Render(CaseGenerator.Build(s, seed)).Select(f => (Key: s.Name + "/" + f.File, f.Content)))
            .ToDictionary(x => x.Key, x => x.Content, StringComparer.Ordinal);

    [Fact]
    public void Generate_SameSeedTwice_IsByteIdentical()
    {
        var first = Generate(42);
        var second = Generate(42);

        Assert.Equal(first.Keys, second.Keys);
        Assert.All(first, kv => Assert.Equal(kv.Value, second[kv.Key]));
    }

    [Fact]
    public void Generate_OtherSeed_ChangesTheTraces() =>
        Assert.NotEqual(Generate(42)["error-db-deadlock-order/trace.json"], Generate(7)["error-db-deadlock-order/trace.json"]);

    [Fact]
    public void Scenarios_CoverEveryCategoryAndEveryFormat()
    {
        var kinds = CaseGenerator.Scenarios.Select(s => CaseGenerator.Build(s, 42).Label?.Kind).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["cold-start", "contention", "dependency", "error", "latency", "n-plus-one", "resource", "retry"], kinds.Order(StringComparer.Ordinal));
        Assert.Equal(Enum.GetValues<WireFormat>().Length, CaseGenerator.Scenarios.Select(s => s.Format).Distinct().Count());
        Assert.True(CaseGenerator.Scenarios.Count + FixtureCase.All.Count >= 40);
        Assert.Equal(CaseGenerator.Scenarios.Count, CaseGenerator.Scenarios.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Build_LabelNamesASpanThatExistsInTheTrace()
    {
        foreach (var scenario in CaseGenerator.Scenarios)
        {
            var built = CaseGenerator.Build(scenario, 42);
            if (built.Label is not { } label)
            {
                continue;
            }

            Assert.True(
                built.Trace.Spans.Any(s => s.Service == label.Service && s.Name == label.Span),
                $"{scenario.Name}: no span {label.Service}/{label.Span}");
        }
    }

    [Fact]
    public void Build_LargeLatencyScenarios_HaveThousandsOfSpans()
    {
        var sizes = CaseGenerator.Scenarios.Where(s => s.Name.StartsWith("latency-thousands", StringComparison.Ordinal))
            .Select(s => CaseGenerator.Build(s, 42).Trace.Spans.Count).ToList();
        Assert.Equal(2, sizes.Count);
        Assert.All(sizes, n => Assert.InRange(n, 2000, 10000));
    }

    [Fact]
    public void Render_ExpectedJson_FollowsTheCaseContract()
    {
        foreach (var scenario in CaseGenerator.Scenarios)
        {
            var files = CaseGenerator.Render(CaseGenerator.Build(scenario, 42));
            using var expected = JsonDocument.Parse(files.Single(f => f.File == "expected.json").Content);
            var cause = expected.RootElement.GetProperty("rootCause");
            if (cause.ValueKind == JsonValueKind.Null)
            {
                Assert.Equal("healthy", expected.RootElement.GetProperty("category").GetString());
                continue;
            }

            Assert.False(string.IsNullOrEmpty(cause.GetProperty("service").GetString()));
            Assert.False(string.IsNullOrEmpty(expected.RootElement.GetProperty("traceId").GetString()));
            using var trace = JsonDocument.Parse(files.Single(f => f.File == "trace.json").Content);
        }
    }
}
