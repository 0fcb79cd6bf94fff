using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using static OpsAssistant.Core.Tests.Evaluation.EvalTestData;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalRunnerTests : IDisposable
{
    private readonly CasesDir _cases = new();
    private readonly IRootCauseEngine _engine = Substitute.For<IRootCauseEngine>();

    public void Dispose() => _cases.Dispose();

    // The fake reader takes the trace ID from the file's text, or fails when the file says "unreadable".
    private static async Task<Trace> ReadFake(Stream stream, string? traceId, CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        var text = (await reader.ReadToEndAsync(ct)).Trim();
        if (text == "unreadable")
        {
            throw new InvalidDataException("not a trace: unknown format");
        }

        return TraceWith(text);
    }

    private void Answer(string traceId, params Hypothesis[] hypotheses) =>
        _engine.AnalyzeAsync(Arg.Is<Trace>(t => t.TraceId == traceId), Arg.Any<CancellationToken>())
            .Returns(Result(traceId, hypotheses) with { Usage = new TokenUsage(1200, 300), PromptTokens = 900 });

    [Fact]
    public async Task RunAsync_BrokenCasesAmongGoodOnes_ReportsEachAndCarriesOn()
    {
        _cases.Add("a-hit", CasesDir.Expected("t1", "cart", "GetCart", "latency"), "t1");
        _cases.Add("b-missing-expected", null, "t2");
        _cases.Add("c-malformed-expected", "{ not json", "t3");
        _cases.Add("d-unreadable-trace", CasesDir.Expected("t4", "cart", kind: "error"), "unreadable");
        _cases.Add("e-miss", CasesDir.Expected("t5", "payment", "Charge", "error"), "t5");
        _cases.Add("f-no-trace", CasesDir.Expected("t6", "cart"), null);
        Answer("t1", Hyp("frontend", "GET /"), Hyp("CART", "getcart"));
        Answer("t5", Hyp("frontend", "POST"));

        var report = await new EvalRunner(_engine, ReadFake).RunAsync(_cases.Path);

        Assert.Equal(["a-hit", "b-missing-expected", "c-malformed-expected", "d-unreadable-trace", "e-miss", "f-no-trace"], report.Results.Select(r => r.Case));
        Assert.Equal(6, report.Cases);
        Assert.Equal(4, report.Errored);
        Assert.Equal(2, report.Results[0].Rank);
        Assert.Contains("missing", report.Results[1].Error, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", report.Results[2].Error, StringComparison.Ordinal);
        Assert.Contains("unknown format", report.Results[3].Error, StringComparison.Ordinal);
        Assert.Equal("error", report.Results[3].Category);
        Assert.Null(report.Results[4].Rank);
        Assert.Null(report.Results[4].Error);
        Assert.Contains("trace.json is missing", report.Results[5].Error, StringComparison.Ordinal);
        Assert.Equal(0, report.Top1);
        Assert.Equal(Math.Round(1.0 / 6, 4), report.Top3);
    }

    [Fact]
    public async Task RunCaseAsync_Hit_FillsContractFieldsFromTheTopHypothesisAndUsage()
    {
        var dir = _cases.Add("cold", CasesDir.Expected("t1", "image-service", "PrepareCode", "cold-start"), "t1");
        Answer("t1", Hyp("image-service", "PrepareCode", Categories.ColdStart, "PrepareCode dominates"));

        var result = await new EvalRunner(_engine, ReadFake).RunCaseAsync(dir);

        Assert.Equal(1, result.Rank);
        Assert.Equal("image-service", result.Service);
        Assert.Equal("PrepareCode", result.Operation);
        Assert.Equal(900, result.PromptTokens);
        Assert.Equal(1200, result.InputTokens);
        Assert.Equal(300, result.OutputTokens);
        Assert.Equal("cold-start", result.Category);
        Assert.Equal("PrepareCode dominates", result.TopTitle);
        Assert.False(result.Abstained);
        Assert.True(result.ElapsedMs >= 0);
    }

    [Fact]
    public async Task RunCaseAsync_PromptCounterInjected_UsesItInsteadOfTheResult()
    {
        var dir = _cases.Add("x", CasesDir.Expected("t1", "a"), "t1");
        Answer("t1", Hyp("a", "x"));

        var result = await new EvalRunner(_engine, ReadFake, (trace, _) => trace.Spans.Count * 1000).RunCaseAsync(dir);

        Assert.Equal(1000, result.PromptTokens);
    }

    [Fact]
    public async Task RunCaseAsync_EngineThrows_IsAnErroredCase()
    {
        var dir = _cases.Add("boom", CasesDir.Expected("t1", "a", kind: "retry"), "t1");
        _engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("span tree has a cycle"));

        var result = await new EvalRunner(_engine, ReadFake).RunCaseAsync(dir);

        Assert.True(result.Errored);
        Assert.Contains("span tree has a cycle", result.Error, StringComparison.Ordinal);
        Assert.Equal("retry", result.Category);
    }

    [Fact]
    public async Task RunCaseAsync_OnlyUnknownHypothesis_IsAnAbstention()
    {
        var dir = _cases.Add("shrug", CasesDir.Expected("t1", "a"), "t1");
        Answer("t1", Hyp(null, null, Categories.Unknown, "no clear cause"));

        var result = await new EvalRunner(_engine, ReadFake).RunCaseAsync(dir);

        Assert.True(result.Abstained);
        Assert.Null(result.Rank);
    }

    [Fact]
    public async Task RunCaseAsync_KindAbsent_FallsBackToCategoryField()
    {
        var dir = _cases.Add("c", """{"traceId":"t1","rootCause":{"service":"a"},"category":"Contention"}""", "t1");
        Answer("t1", Hyp("a", "x"));

        var result = await new EvalRunner(_engine, ReadFake).RunCaseAsync(dir);

        Assert.Equal("contention", result.Category);
    }

    [Fact]
    public async Task RunCaseAsync_RootCauseWithoutService_IsAnErroredCase()
    {
        var dir = _cases.Add("c", """{"traceId":"t1","rootCause":{"span":"x"}}""", "t1");

        var result = await new EvalRunner(_engine, ReadFake).RunCaseAsync(dir);

        Assert.Contains("rootCause.service", result.Error, StringComparison.Ordinal);
        Assert.Equal(EvalExpectation.Unlabelled, result.Category);
    }

    [Fact]
    public async Task RunAsync_ReportsProgressOncePerCaseInOrder()
    {
        _cases.Add("b", CasesDir.Expected("t2", "a"), "t2");
        _cases.Add("a", CasesDir.Expected("t1", "a"), "t1");
        Answer("t1", Hyp("a", "x"));
        Answer("t2", Hyp("a", "x"));
        var seen = new List<EvalProgress>();

        await new EvalRunner(_engine, ReadFake).RunAsync(_cases.Path, new Recorder(seen));

        Assert.Equal([(1, "a"), (2, "b")], seen.Select(p => (p.Completed, p.Last.Case)));
        Assert.All(seen, p => Assert.Equal(2, p.Total));
    }

    [Fact]
    public async Task RunAsync_MissingDirectory_Throws() =>
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => new EvalRunner(_engine, ReadFake).RunAsync(Path.Combine(_cases.Path, "nope")));

    private sealed class Recorder(List<EvalProgress> seen) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => seen.Add(value);
    }
}
