using System.Text.Json;
using NSubstitute;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using static OpsAssistant.Core.Tests.Evaluation.EvalTestData;

namespace OpsAssistant.Core.Tests.Evaluation;

/// <summary>Healthy cases (<c>"rootCause": null</c>), the false-alarm rule, the calibration error and the report fields that carry them.</summary>
public sealed class HealthyAndCalibrationTests : IDisposable
{
    private readonly CasesDir _cases = new();

    public void Dispose() => _cases.Dispose();

    private static EvalCaseResult Cause(string name, int? rank, double? confidence, string? category = Categories.Latency) =>
        new() { Case = name, Rank = rank, Confidence = confidence, PredictedCategory = category, Category = "latency" };

    private static EvalCaseResult Healthy(string name, bool falseAlarm, double? confidence, string? category = Categories.Unknown) =>
        new() { Case = name, Healthy = true, FalseAlarm = falseAlarm, Confidence = confidence, PredictedCategory = category, Category = "healthy" };

    [Fact]
    public void Parse_NullRootCause_IsAHealthyCaseWithTheHealthyCategory()
    {
        var expected = EvalExpectationReader.Parse("""{"traceId": "t1", "rootCause": null, "family": "healthy-fast-chain"}""");

        Assert.True(expected.IsHealthy);
        Assert.Null(expected.RootCause);
        Assert.Equal("healthy", expected.EffectiveCategory);
        Assert.Equal("healthy-fast-chain", expected.Family);
    }

    [Theory]
    [InlineData("""{"traceId": "t1"}""", "no rootCause")]
    [InlineData("""{"traceId": "t1", "rootCause": "cart"}""", "must be an object, or null")]
    [InlineData("""{"traceId": "t1", "rootCause": {"span": "GetCart"}}""", "rootCause.service")]
    public void Parse_MissingOrMalformedRootCause_IsAnErrorNotAHealthyCase(string json, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => EvalExpectationReader.Parse(json)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(Categories.Latency, 0.5, true)]
    [InlineData(Categories.Error, 0.9, true)]
    [InlineData(Categories.Latency, 0.49, false)]
    [InlineData(Categories.Unknown, 0.9, false)]
    public void IsFalseAlarm_FirstHypothesis_NamesACauseWithConfidenceFromHalf(string category, double confidence, bool alarm) =>
        Assert.Equal(alarm, EvalMatch.IsFalseAlarm([Hyp("svc", "op", category) with { Confidence = confidence }, Hyp("other", "op", Categories.Error) with { Confidence = 0.99 }]));

    [Fact]
    public void IsFalseAlarm_NoHypotheses_IsNot() => Assert.False(EvalMatch.IsFalseAlarm([]));

    [Fact]
    public void Summarise_HealthyCases_StayOutOfTopKAndMrrAndAreCountedAsFalseAlarms()
    {
        var report = EvalScoring.Summarise(
        [
            Cause("a", 1, 0.9), Cause("b", 2, 0.6), Cause("c", null, 0.1, Categories.Unknown) with { Abstained = true },
            Healthy("h1", falseAlarm: true, 0.7, Categories.Latency), Healthy("h2", falseAlarm: false, 0.2) with { Abstained = true },
        ]);

        Assert.Equal(5, report.Cases);
        Assert.Equal(2, report.Healthy);
        Assert.Equal(1, report.FalseAlarms);
        Assert.Equal(Math.Round(1.0 / 3, 4), report.Top1);
        Assert.Equal(Math.Round(2.0 / 3, 4), report.Top3);
        Assert.Equal(Math.Round(1.5 / 3, 4), report.Mrr);
        Assert.Equal(1, report.Abstained);
        var healthy = report.Categories.Single(c => c.Category == "healthy");
        Assert.Equal((2, 1), (healthy.Healthy, healthy.FalseAlarms));
        Assert.Contains("healthy 2, false alarms 1", report.SummaryLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectedCalibrationError_KnownSet_IsTheWeightedGapPerBin()
    {
        // Bin 0.8-0.9: four claims at 0.8, three right (accuracy 0.75, gap 0.05). Bin 0.3-0.4: two at 0.3, none right (gap 0.3).
        // Bin 0.9-1.0: one at 1.0 (the last bin includes 1), right (gap 0). ECE = 4/7 * 0.05 + 2/7 * 0.3 + 0 = 0.1143.
        (double, bool)[] claims = [(0.8, true), (0.8, true), (0.8, true), (0.8, false), (0.3, false), (0.3, false), (1.0, true)];

        Assert.Equal(4.0 / 7 * 0.05 + 2.0 / 7 * 0.3, EvalCalibration.ExpectedCalibrationError(claims), 10);
    }

    [Fact]
    public void ExpectedCalibrationError_PerfectlyCalibratedOrEmpty_IsZero()
    {
        Assert.Equal(0, EvalCalibration.ExpectedCalibrationError([(0.25, true), (0.25, false), (0.25, false), (0.25, false)]), 10);
        Assert.Equal(0, EvalCalibration.ExpectedCalibrationError([]));
    }

    [Fact]
    public void Claim_NamedCauseAbstentionHealthyAndErrored_FollowTheDocumentedRule()
    {
        Assert.Equal((0.9, true), EvalCalibration.Claim(Cause("hit", 1, 0.9)));
        Assert.Equal((0.9, false), EvalCalibration.Claim(Cause("miss", 2, 0.9)));
        // An abstention states 1 - confidence that nothing can be named; it is wrong on a case with a cause.
        Assert.Equal((0.8, false), EvalCalibration.Claim(Cause("shrug", null, 0.2, Categories.Unknown)));
        Assert.Equal((1.0, false), EvalCalibration.Claim(Cause("silent", null, null, null)));
        // On a healthy case the answer is right unless it is a false alarm.
        Assert.Equal((0.8, true), EvalCalibration.Claim(Healthy("quiet", falseAlarm: false, 0.2)));
        Assert.Equal((0.3, true), EvalCalibration.Claim(Healthy("low guess", falseAlarm: false, 0.3, Categories.Latency)));
        Assert.Equal((0.7, false), EvalCalibration.Claim(Healthy("alarm", falseAlarm: true, 0.7, Categories.Latency)));
        Assert.Null(EvalCalibration.Claim(new EvalCaseResult { Case = "broken", Error = "trace unreadable" }));
    }

    [Fact]
    public void Summarise_Ece_IsComputedOverTheCasesThatRan()
    {
        var report = EvalScoring.Summarise([Cause("a", 1, 0.8), Cause("b", null, 0.8), new EvalCaseResult { Case = "broken", Error = "x" }]);

        // Both claims in bin 0.8-0.9 with accuracy 0.5: |0.5 - 0.8| = 0.3.
        Assert.Equal(0.3, report.Ece, 4);
    }

    [Fact]
    public async Task RunAsync_HealthyCase_RecordsNoRankAndTheFalseAlarmVerdict()
    {
        var engine = Substitute.For<IRootCauseEngine>();
        engine.AnalyzeAsync(Arg.Is<Trace>(t => t.TraceId == "t1"), Arg.Any<CancellationToken>())
            .Returns(Result("t1", Hyp("svc", "op", Categories.Latency) with { Confidence = 0.8 }));
        engine.AnalyzeAsync(Arg.Is<Trace>(t => t.TraceId == "t2"), Arg.Any<CancellationToken>())
            .Returns(Result("t2", Hyp("svc", "op", Categories.Unknown) with { Confidence = 0.2 }));
        _cases.Add("alarm", """{"traceId": "t1", "rootCause": null}""", "t1");
        _cases.Add("quiet", """{"traceId": "t2", "rootCause": null, "family": "healthy-fast-chain"}""", "t2");

        var report = await new EvalRunner(engine, (_, id, _) => Task.FromResult(TraceWith(id!))).RunAsync(_cases.Path);

        Assert.Equal((2, 1), (report.Healthy, report.FalseAlarms));
        Assert.All(report.Results, r => Assert.Null(r.Rank));
        Assert.Equal([true, false], report.Results.Select(r => r.FalseAlarm));
        Assert.Equal([0.8, 0.2], report.Results.Select(r => r.Confidence));
        Assert.Equal("healthy-fast-chain", report.Results[1].Family);
        Assert.Equal(["healthy", "healthy-fast-chain"], report.Families.Select(f => f.Category));
    }

    [Fact]
    public void Serialize_NewFields_FollowTheContractFieldsUnderTheirContractNames()
    {
        var report = EvalScoring.Summarise([Cause("a", 1, 0.9), Healthy("h", falseAlarm: true, 0.6, Categories.Latency)]) with
        {
            Invariance = new Dictionary<string, double> { ["rename"] = 1, ["scale-jitter"] = 0.5 },
            InvarianceFailures = [new InvarianceFailure("scale-jitter", "a", "svc / op", "other / op")],
        };

        using var doc = JsonDocument.Parse(EvalReportJson.Serialize(report));

        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["cases", "top1", "top3", "mrr", "abstained", "meanPromptTokens", "meanInputTokens", "meanOutputTokens", "meanElapsedMs", "results",
            "healthy", "falseAlarms", "ece", "invariance"], names.Take(14));
        Assert.Equal(1, doc.RootElement.GetProperty("falseAlarms").GetInt32());
        Assert.Equal(0.5, doc.RootElement.GetProperty("invariance").GetProperty("scale-jitter").GetDouble());
        Assert.Equal("other / op", doc.RootElement.GetProperty("invarianceFailures")[0].GetProperty("after").GetString());
        Assert.True(doc.RootElement.GetProperty("results")[1].GetProperty("falseAlarm").GetBoolean());
    }

    [Fact]
    public void Serialize_WithoutMetamorphicChecks_WritesInvarianceAsNull()
    {
        using var doc = JsonDocument.Parse(EvalReportJson.Serialize(EvalScoring.Summarise([Cause("a", 1, 0.9)])));

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("invariance").ValueKind);
    }
}
