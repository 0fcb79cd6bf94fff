using System.Text.Json;
using NSubstitute;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Sources;
using OpsAssistant.Core.Model;
using Spectre.Console;

namespace OpsAssistant.Cli.Tests;

public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly StringWriter _console = new();
    private readonly StringWriter _json = new();
    private readonly StringWriter _error = new();
    private readonly ITraceSource _store = Substitute.For<ITraceSource>();

    public void Dispose()
    {
        _console.Dispose();
        _json.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task Analyze_FileWithJson_PrintsOnlyTheResultContract()
    {
        var code = await Run(Fixture("sibling_errors.json"), json: true);

        Assert.Equal(AnalyzeCommand.Ok, code);
        using var doc = JsonDocument.Parse(_json.ToString());
        var root = doc.RootElement;
        foreach (var field in new[] { "analysisId", "traceId", "engine", "model", "degraded", "summary", "hypotheses", "usage", "elapsedMs" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        }

        var top = root.GetProperty("hypotheses")[0];
        Assert.Equal("payment", top.GetProperty("service").GetString());
        Assert.Equal("oteldemo.PaymentService/Charge", top.GetProperty("operation").GetString());
        Assert.Equal(1, top.GetProperty("rank").GetInt32());
        Assert.Equal(0, root.GetProperty("usage").GetProperty("inputTokens").GetInt64());
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Analyze_File_RendersATableWithTheSuspectAndRemediation()
    {
        var code = await Run(Fixture("sibling_errors.json"));

        Assert.Equal(AnalyzeCommand.Ok, code);
        var text = _console.ToString();
        Assert.Contains("oteldemo.PaymentService/Charge", text, StringComparison.Ordinal);
        Assert.Contains("payment", text, StringComparison.Ordinal);
        Assert.Contains("fix:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_SpanNamesWithTerminalEscapes_PrintThemVisiblyInsteadOfActingOnTheTerminal()
    {
        var path = Path.Combine(Path.GetTempPath(), $"escapes-{Guid.NewGuid():n}.json");
        var name = "GET /x\u001b[2J\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007\r\nforged line";
        await File.WriteAllTextAsync(path, $$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[
              {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":{{{JsonSerializer.Serialize(name)}}},"startTimeUnixNano":"1764000000000000000","endTimeUnixNano":"1764000001000000000","status":{"code":2,"message":{{{JsonSerializer.Serialize(name)}}}}}]}]}]}
            """);
        try
        {
            var code = await Run(path);

            Assert.Equal(AnalyzeCommand.Ok, code);
            var text = _console.ToString();
            Assert.DoesNotContain('\u001b', text);
            Assert.DoesNotContain('\u0007', text);
            Assert.DoesNotContain("\nforged line", text, StringComparison.Ordinal);
            Assert.Contains("\\x1B[2J", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("not-a-trace-id")]
    [InlineData("/no/such/file.json")]
    public async Task Analyze_NeitherFileNorTraceId_ExitsTwoWithOneLine(string target)
    {
        var code = await Run(target);

        Assert.Equal(AnalyzeCommand.BadInput, code);
        Assert.Single(_error.ToString().Trim().Split('\n'));
        Assert.Empty(_json.ToString());
    }

    /// <summary>A corrupt file is bad input (exit 2, one line), whatever way it is corrupt; never a crash (exit 1).</summary>
    [Theory]
    [InlineData("invalid-utf8")]
    [InlineData("lone-surrogate")]
    [InlineData("truncated")]
    [InlineData("deep")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public async Task Analyze_CorruptFile_ExitsTwoWithOneLine(string corruption)
    {
        var valid = await File.ReadAllBytesAsync(Fixture("sibling_errors.json"));
        var at = Array.IndexOf(valid, (byte)'"', 40) + 1;
        byte[] bytes = corruption switch
        {
            "invalid-utf8" => [.. valid[..at], 0xC3, 0x28, 0xFF, .. valid[at..]],
            "lone-surrogate" => [.. valid[..at], .. "\\uD800"u8.ToArray(), .. valid[at..]],
            "truncated" => valid[..(valid.Length / 2)],
            "deep" => System.Text.Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)),
            "garbage" => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00],
            _ => [],
        };
        var path = Path.Combine(Path.GetTempPath(), $"opsassistant-corrupt-{corruption}-{Guid.NewGuid():n}.json");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var code = await Run(path);

            Assert.Equal(AnalyzeCommand.BadInput, code);
            Assert.Single(_error.ToString().Trim().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Analyze_FileWithSeveralTraces_ExitsTwoListingTheirIds()
    {
        var code = await Run(Fixture("memory_otel_traces_01.json"));

        Assert.Equal(AnalyzeCommand.BadInput, code);
        Assert.Contains("00000000000000010000000000000000", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--trace-id", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_FileWithSeveralTracesAndTraceId_AnalysesThatTrace()
    {
        var code = await Run(Fixture("memory_otel_traces_01.json"), json: true, traceId: "00000000000000020000000000000000");

        Assert.Equal(AnalyzeCommand.Ok, code);
        Assert.Contains("00000000000000020000000000000000", _json.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_TraceIdUnknownToTheSource_ExitsTwo()
    {
        _store.Name.Returns("store");
        var code = await Run("4bf92f3577b34da6a3ce929d0e0e4736", source: "store");

        Assert.Equal(AnalyzeCommand.BadInput, code);
        Assert.Contains("not found in the store source", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_TraceIdFoundInTheSource_IsAnalysed()
    {
        var trace = new Trace("4bf92f3577b34da6a3ce929d0e0e4736", [new Span { TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = "0000000000000001", Name = "GET /", StartUnixNano = 1, EndUnixNano = 1_000_000 }]);
        _store.GetTraceAsync("4bf92f3577b34da6a3ce929d0e0e4736", Arg.Any<CancellationToken>()).Returns(trace);

        var code = await Run("4BF92F3577B34DA6A3CE929D0E0E4736", source: "store", json: true);

        Assert.Equal(AnalyzeCommand.Ok, code);
        Assert.Contains("\"unknown\"", _json.ToString(), StringComparison.Ordinal);
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private Task<int> Run(string target, bool json = false, string? source = null, string? traceId = null) =>
        AnalyzeCommand.RunAsync(
            new AnalyzeServices(
                _ => new HeuristicEngine(),
                _ => _store,
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_console), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No }),
                _json,
                _error),
            target, source, traceId, json, noLlm: true, CancellationToken.None);
}
