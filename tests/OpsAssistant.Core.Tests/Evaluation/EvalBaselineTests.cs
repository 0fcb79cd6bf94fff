using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalBaselineTests
{
    [Fact]
    public void Parse_QuantilesAndSamples_ReadsBoth()
    {
        var set = EvalBaselineReader.Parse("""
            { "from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00Z",
              "operations": [
                { "service": "web", "operation": "MGET", "kind": "client", "p50Ms": 1, "p90Ms": 2, "p99Ms": 3, "errorRate": 0.01, "count": 500 },
                { "service": "web", "operation": "GET /x", "kind": "server", "durationsMs": [10, 10, 10, 10, 20], "errors": 1, "to": "2025-06-01T12:00:00Z" } ] }
            """);
        var mget = set.Find("web", "MGET", SpanKind.Client)!;
        Assert.Equal((1, 2, 3, 0.01, 500L), (mget.P50Ms, mget.P90Ms, mget.P99Ms, mget.ErrorRate, mget.Count));
        var x = set.Find("web", "GET /x", SpanKind.Server)!;
        Assert.Equal(5, x.Count);
        Assert.Equal(0.2, x.ErrorRate);
        Assert.InRange(x.P50Ms, 9.9, 10.1);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero), x.To);
        Assert.Equal("case", set.Source);
    }

    [Theory]
    [InlineData("""{"operations": [{"service": "a", "operation": "b", "p50Ms": 1, "p90Ms": 2, "p99Ms": 3, "count": 5}]}""", "operations[0] has no from")]
    [InlineData("""{"from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00Z", "operations": [{"service": "a", "operation": "b", "p50Ms": 5, "p90Ms": 2, "p99Ms": 3, "count": 5}]}""", "operations[0].p90Ms")]
    [InlineData("""{"from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00Z", "operations": [{"service": "a", "operation": "b", "kind": "sideways", "durationsMs": [1]}]}""", "operations[0].kind")]
    [InlineData("""{"from": "x", "operations": []}""", "from must be an ISO 8601 time")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00Z"}""", "no operations array")]
    public void Parse_BadFile_NamesTheField(string json, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => EvalBaselineReader.Parse(json)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task RunAsync_CaseWithBaseline_ScoresItWithAndWithoutBaselines()
    {
        var dir = Directory.CreateTempSubdirectory("bl-eval-");
        try
        {
            var cases = Path.Combine(OpsAssistant.Core.Tests.Hardening.BadInputHarness.RepoRoot(), "eval", "cases");
            foreach (var name in new[] { "baseline-slow-but-normal-01", "cache-stampede-01" })
            {
                var to = Directory.CreateDirectory(Path.Combine(dir.FullName, name)).FullName;
                foreach (var file in Directory.GetFiles(Path.Combine(cases, name)))
                {
                    File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
                }
            }

            var runner = new EvalRunner(new HeuristicEngine(), (s, id, ct) => TraceReader.ReadSingleAsync(s, id, cancellationToken: ct));
            var report = await runner.RunAsync(dir.FullName, cancellationToken: TestContext.Current.CancellationToken);
            var withBaseline = report.Results.Single(r => r.Case == "baseline-slow-but-normal-01");
            Assert.True(withBaseline.Baseline);
            Assert.Equal(1, withBaseline.Rank);
            Assert.NotEqual(1, withBaseline.RankWithoutBaselines);
            var plain = report.Results.Single(r => r.Case == "cache-stampede-01");
            Assert.False(plain.Baseline);
            Assert.Null(plain.RankWithoutBaselines);
            Assert.Equal(1, report.BaselineUplift!.Cases);
            Assert.Equal(1, report.BaselineUplift.Top1);
            Assert.Equal(0, report.BaselineUplift.Top1WithoutBaselines);
            Assert.Equal(1, report.BaselineUplift.Top1Uplift);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunCaseAsync_MalformedBaseline_ErrorsTheCaseNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("bl-eval-");
        try
        {
            var source = Path.Combine(OpsAssistant.Core.Tests.Hardening.BadInputHarness.RepoRoot(), "eval", "cases", "cache-stampede-01");
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }

            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "baseline.json"), "{", TestContext.Current.CancellationToken);
            var runner = new EvalRunner(new HeuristicEngine(), (s, id, ct) => TraceReader.ReadSingleAsync(s, id, cancellationToken: ct));
            var result = await runner.RunCaseAsync(dir.FullName, TestContext.Current.CancellationToken);
            Assert.StartsWith("baseline.json is not valid JSON", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunCaseAsync_BaselineWindowEndingAfterTheTraceStarted_ErrorsTheCase()
    {
        var dir = Directory.CreateTempSubdirectory("bl-eval-");
        try
        {
            var source = Path.Combine(OpsAssistant.Core.Tests.Hardening.BadInputHarness.RepoRoot(), "eval", "cases", "baseline-slow-but-normal-01");
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }

            var runner = new EvalRunner(new HeuristicEngine(), (s, id, ct) => TraceReader.ReadSingleAsync(s, id, cancellationToken: ct));
            Assert.Null((await runner.RunCaseAsync(dir.FullName, TestContext.Current.CancellationToken)).Error);

            // The same history, said to run until a day later: it would hold the trace and what followed it.
            var path = Path.Combine(dir.FullName, "baseline.json");
            var json = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
            var later = System.Text.RegularExpressions.Regex.Replace(json, "\"to\": *\"2025-06-02T", "\"to\": \"2025-06-03T");
            Assert.NotEqual(json, later);
            await File.WriteAllTextAsync(path, later, TestContext.Current.CancellationToken);

            var result = await runner.RunCaseAsync(dir.FullName, TestContext.Current.CancellationToken);
            Assert.StartsWith("baseline.json: the window of ", result.Error, StringComparison.Ordinal);
            Assert.EndsWith("a trace is judged against the history before it", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
