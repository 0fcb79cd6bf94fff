using System.CommandLine;
using System.Text.Json;
using NSubstitute;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using Spectre.Console;

namespace OpsAssistant.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "oa-evalcli-" + Guid.NewGuid().ToString("n"));
    private readonly StringWriter _out = new();
    private readonly IRootCauseEngine _engine = Substitute.For<IRootCauseEngine>();

    public EvalCommandTests()
    {
        Directory.CreateDirectory(_root);
        _engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).Returns(call => new AnalysisResult
        {
            TraceId = call.Arg<Trace>().TraceId,
            Hypotheses = [new Hypothesis { Rank = 1, Title = "DB deadlock", Category = Categories.Error, Service = "ts-order-service", Operation = "INSERT ts.orders" }],
            PromptTokens = 500,
        });
    }

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private EvalServices Services() => new(
        _ => _engine,
        (_, traceId, _) => Task.FromResult(new Trace(traceId ?? "t", [new Span { TraceId = "t", SpanId = "0000000000000001", Name = "op" }])),
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_out), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No }));

    private void AddCase(string name, string service, string span)
    {
        var dir = Path.Combine(_root, "cases", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "trace.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "expected.json"), JsonSerializer.Serialize(new { traceId = name, rootCause = new { service, span, kind = "error" } }));
    }

    private Task<int> Invoke(params string[] args)
    {
        var root = new RootCommand { EvalCommand.Create(Services()) };
        return root.Parse(["eval", .. args]).InvokeAsync();
    }

    [Fact]
    public async Task Eval_MissingCasesDirectory_ExitsWithBadInput()
    {
        Assert.Equal(2, await Invoke(Path.Combine(_root, "nope")));
        Assert.Contains("not found", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_EmptyCasesDirectory_ExitsWithBadInput()
    {
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Assert.Equal(2, await Invoke(Path.Combine(_root, "empty")));
    }

    [Fact]
    public async Task Eval_RunWithAMiss_ExitsZeroWritesReportsAndEndsWithTheSummaryLine()
    {
        AddCase("error-01", "ts-order-service", "INSERT ts.orders");
        AddCase("error-02", "paymentservice", "Charge");
        var report = Path.Combine(_root, "out", "report.json");
        var html = Path.Combine(_root, "out", "report.html");

        var exit = await Invoke(Path.Combine(_root, "cases"), "--no-llm", "--report", report, "--html", html);

        Assert.Equal(0, exit);
        // The test console wraps at its width; the summary is the last text, however it was wrapped.
        var text = string.Join(' ', _out.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var summary = text[text.LastIndexOf("eval: ", StringComparison.Ordinal)..];
        Assert.Matches(@"^eval: 2 cases, top1 0\.500, top3 0\.500, mrr 0\.500, abstained 0, errored 0, ece \d\.\d{3}$", summary);
        Assert.Contains("error-02", _out.ToString(), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(2, doc.RootElement.GetProperty("cases").GetInt32());
        Assert.Equal(0.5, doc.RootElement.GetProperty("top1").GetDouble());
        Assert.Equal(500, doc.RootElement.GetProperty("meanPromptTokens").GetDouble());
        Assert.Contains("<svg", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_NoLlmFlag_IsPassedToTheEngineFactory()
    {
        AddCase("error-01", "ts-order-service", "INSERT ts.orders");
        bool? requested = null;
        var services = Services() with { CreateEngine = request => { requested = request.NoLlm; return _engine; } };
        var root = new RootCommand { EvalCommand.Create(services) };

        await root.Parse(["eval", Path.Combine(_root, "cases"), "--no-llm"]).InvokeAsync();

        Assert.True(requested);
    }

    [Fact]
    public async Task Eval_Metamorphic_ReportsInvariancePerTransformationAndTheCasesItChanged()
    {
        AddCase("error-01", "ts-order-service", "INSERT ts.orders");
        // An engine that, like a brittle one, depends on span kinds: dropping them changes its answer.
        var engine = Substitute.For<IRootCauseEngine>();
        engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).Returns(call => new AnalysisResult
        {
            TraceId = call.Arg<Trace>().TraceId,
            Hypotheses = [new Hypothesis { Rank = 1, Title = "t", Category = Categories.Error, Confidence = 0.9,
                Service = call.Arg<Trace>().Spans.All(s => s.Kind == SpanKind.Internal) ? "somewhere-else" : call.Arg<Trace>().Spans[0].ServiceName,
                Operation = call.Arg<Trace>().Spans[0].Name }],
        });
        var traceId = "0af7651916cd43dd8448eb211c80319c";
        var services = Services() with
        {
            CreateEngine = _ => engine,
            ReadTrace = (_, _, _) => Task.FromResult(new Trace(traceId, [new Span
            {
                TraceId = traceId, SpanId = "b7ad6b7169203331", Name = "INSERT ts.orders", Kind = SpanKind.Client, Resource = new Resource("ts-order-service"),
                StartUnixNano = 1_700_000_000_000_000_000, EndUnixNano = 1_700_000_000_250_000_000,
            }])),
        };
        var report = Path.Combine(_root, "out", "report.json");
        var html = Path.Combine(_root, "out", "report.html");

        var exit = await new RootCommand { EvalCommand.Create(services) }
            .Parse(["eval", Path.Combine(_root, "cases"), "--no-llm", "--metamorphic", "--report", report, "--html", html]).InvokeAsync();

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var invariance = doc.RootElement.GetProperty("invariance");
        Assert.Equal(0, invariance.GetProperty("drop-kinds").GetDouble());
        Assert.All(invariance.EnumerateObject().Where(p => p.Name != "drop-kinds"), p => Assert.Equal(1, p.Value.GetDouble()));
        Assert.Contains("to-zipkin-v2", invariance.EnumerateObject().Select(p => p.Name));
        var failure = Assert.Single(doc.RootElement.GetProperty("invarianceFailures").EnumerateArray());
        Assert.Equal(("drop-kinds", "error-01"), (failure.GetProperty("transformation").GetString(), failure.GetProperty("case").GetString()));
        Assert.Contains("drop-kinds", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("Metamorphic invariance", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_FamilyWithAMissAndAHealthyFalseAlarm_ListsTheFamilyAndTheAlarm()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "cases", "slow-query-01")).FullName;
        File.WriteAllText(Path.Combine(dir, "trace.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "expected.json"), """{"traceId": "t1", "rootCause": {"service": "orders", "span": "SELECT orders"}, "family": "slow-query"}""");
        dir = Directory.CreateDirectory(Path.Combine(_root, "cases", "healthy-fast-chain-01")).FullName;
        File.WriteAllText(Path.Combine(dir, "trace.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "expected.json"), """{"traceId": "t2", "rootCause": null, "category": "healthy", "family": "healthy-fast-chain"}""");
        _engine.AnalyzeAsync(Arg.Any<Trace>(), Arg.Any<CancellationToken>()).Returns(call => new AnalysisResult
        {
            TraceId = call.Arg<Trace>().TraceId,
            Hypotheses = [new Hypothesis { Rank = 1, Title = "slow", Category = Categories.Latency, Confidence = 0.7, Service = "frontend", Operation = "GET /" }],
        });

        Assert.Equal(0, await Invoke(Path.Combine(_root, "cases"), "--no-llm"));

        var output = _out.ToString();
        Assert.Contains("families with misses or false alarms", output, StringComparison.Ordinal);
        Assert.Contains("slow-query", output, StringComparison.Ordinal);
        Assert.Contains("false alarms (1 of 1 healthy)", output, StringComparison.Ordinal);
        Assert.Contains("healthy-fast-chain-01", output, StringComparison.Ordinal);
    }
}
