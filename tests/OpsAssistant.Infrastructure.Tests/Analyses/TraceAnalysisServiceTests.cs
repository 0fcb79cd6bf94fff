using NSubstitute;
using NSubstitute.ExceptionExtensions;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;

namespace OpsAssistant.Infrastructure.Tests.Analyses;

/// <summary>The one "analyse this trace" path: found, not found and source failed, told apart for every entry point.</summary>
public sealed class TraceAnalysisServiceTests
{
    private static readonly TraceId Id = TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736");
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly ITraceSource _store = Substitute.For<ITraceSource>();
    private readonly ITraceSource _jaeger = Substitute.For<ITraceSource>();
    private readonly IRootCauseEngine _engine = Substitute.For<IRootCauseEngine>();
    private readonly IAnalysisStore _analyses = Substitute.For<IAnalysisStore>();
    private readonly TraceAnalysisService _service;

    public TraceAnalysisServiceTests()
    {
        _store.Name.Returns("store");
        _jaeger.Name.Returns("jaeger");
        _engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>())
            .Returns(ci => new AnalysisResult { AnalysisId = "engine-id", TraceId = ci.Arg<Trace>().TraceId, Summary = "slow SELECT" });
        _service = new TraceAnalysisService(
            name => name switch
            {
                null => _store,
                "jaeger" => _jaeger,
                "tempo" => throw new TraceSourceException("tempo", "The Tempo source needs OpsAssistant:TraceSource:Url."),
                _ => throw new ArgumentException("unknown", nameof(name)),
            },
            new Lazy<IRootCauseEngine>(_engine), _analyses, new FixedClock(Now));
    }

    [Fact]
    public async Task AnalyzeAsync_TraceInTheSource_AnalysesAndRecordsWithOriginAndSource()
    {
        var trace = SampleTrace();
        _jaeger.GetTraceAsync(Id.Value, Arg.Any<CancellationToken>()).Returns(trace);

        var outcome = await _service.AnalyzeAsync(new TraceAnalysisRequest(Id, AnalysisOrigin.Mcp) { Source = "jaeger", Record = true }, CancellationToken.None);

        Assert.Equal(TraceOutcomeKind.Found, outcome.Kind);
        Assert.Same(trace, outcome.Trace);
        Assert.Equal("slow SELECT", outcome.Result!.Summary);
        Assert.Equal("jaeger", outcome.Source);
        await _analyses.Received(1).SaveAsync(
            Arg.Is<AnalysisRecord>(r => r.Id == "engine-id" && r.Origin == "mcp" && r.Source == "jaeger" && r.Status == AnalysisStatus.Done && r.CompletedAt == Now && r.Result == outcome.Result),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task AnalyzeAsync_WithoutRecord_StoresNothingAndKeepsTheGivenAnalysisId()
    {
        _store.GetTraceAsync(Id.Value, Arg.Any<CancellationToken>()).Returns(SampleTrace());

        var outcome = await _service.AnalyzeAsync(new TraceAnalysisRequest(Id, AnalysisOrigin.Alertmanager) { AnalysisId = "alert-1" }, CancellationToken.None);

        Assert.Equal("alert-1", outcome.Result!.AnalysisId);
        await _analyses.DidNotReceiveWithAnyArgs().SaveAsync(default!, default);
    }

    [Fact]
    public async Task AnalyzeAsync_TraceMissing_IsNotFoundWithoutRunningTheEngine()
    {
        var outcome = await _service.AnalyzeAsync(new TraceAnalysisRequest(Id, AnalysisOrigin.Api) { Record = true }, CancellationToken.None);

        Assert.Equal(TraceOutcomeKind.NotFound, outcome.Kind);
        Assert.Equal("store", outcome.Source);
        Assert.Null(outcome.Result);
        await _engine.DidNotReceiveWithAnyArgs().AnalyzeAsync(default!, default);
        await _analyses.DidNotReceiveWithAnyArgs().SaveAsync(default!, default);
    }

    [Fact]
    public async Task AnalyzeAsync_SourceThrowsWhileFetching_IsSourceFailedWithItsMessage()
    {
        _jaeger.GetTraceAsync(Id.Value, Arg.Any<CancellationToken>()).ThrowsAsync(new TraceSourceException("jaeger", "Jaeger answered 503."));

        var outcome = await _service.AnalyzeAsync(new TraceAnalysisRequest(Id, AnalysisOrigin.Api) { Source = "jaeger" }, CancellationToken.None);

        Assert.Equal(TraceOutcomeKind.SourceFailed, outcome.Kind);
        Assert.Equal("jaeger", outcome.Source);
        Assert.Equal("Jaeger answered 503.", outcome.Failure);
    }

    [Fact]
    public async Task FetchAsync_SourceLacksItsSettings_IsSourceFailedNamingTheSetting()
    {
        var outcome = await _service.FetchAsync(Id, "tempo", CancellationToken.None);

        Assert.Equal(TraceOutcomeKind.SourceFailed, outcome.Kind);
        Assert.Equal("tempo", outcome.Source);
        Assert.Contains("OpsAssistant:TraceSource:Url", outcome.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithEngine_AnalysesWithThatEngineOverTheSameSources()
    {
        var other = Substitute.For<IRootCauseEngine>();
        other.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).Returns(new AnalysisResult { TraceId = Id.Value, Summary = "heuristic" });
        _store.GetTraceAsync(Id.Value, Arg.Any<CancellationToken>()).Returns(SampleTrace());

        var outcome = await _service.WithEngine(other).AnalyzeAsync(new TraceAnalysisRequest(Id, AnalysisOrigin.Chat), CancellationToken.None);

        Assert.Equal("heuristic", outcome.Result!.Summary);
        await _engine.DidNotReceiveWithAnyArgs().AnalyzeAsync(default!, default);
    }

    private static Trace SampleTrace() =>
        new(Id.Value, [new Span { TraceId = Id.Value, SpanId = "0000000000000001", Name = "GET /", StartUnixNano = 1, EndUnixNano = 1_000_000 }]);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
