using OpsAssistant.Core.Evaluation.Incidents;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Core.Tests.Incidents;

public sealed class IncidentEvalRunnerTests : IDisposable
{
    private const long Before = 1_700_000_000_000_000_000;
    private readonly string _root = Directory.CreateTempSubdirectory("opsassistant-incident-eval-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_CasesOfEachKind_ScoresAliasesHealthyCasesAndErrors()
    {
        var windows = new IncidentWindows(7);
        Write("route", windows.Window(Before, 200), windows.Window(Before + 600_000_000_000, 200, s => s.Route == "/pay" ? s with { DurationMs = s.DurationMs * 4 } : s),
            """{"service":"checkout","changed":{"dimension":"operation","value":"POST /pay"}}""");
        Write("wrong", windows.Window(Before, 200), windows.Window(Before + 600_000_000_000, 200, s => s.Host == "host-a" ? s with { DurationMs = s.DurationMs * 4 } : s),
            """{"service":"checkout","changed":{"dimension":"host.name","value":"host-b"}}""");
        Write("quiet", windows.Window(Before, 200), windows.Window(Before + 600_000_000_000, 200), """{"service":"checkout","changed":null}""");
        Write("broken", windows.Window(Before, 10), windows.Window(Before, 10), """{"service":"checkout"}""");

        var report = await IncidentEvalRunner.RunAsync(_root, TestContext.Current.CancellationToken);

        Assert.Equal(4, report.Cases);
        var byCase = report.Results.ToDictionary(r => r.Case);
        Assert.Equal(1, byCase["route"].Rank);
        Assert.Equal("http.route=/pay", byCase["route"].Top);
        Assert.Null(byCase["wrong"].Rank);
        Assert.Equal("host.name=host-a", byCase["wrong"].Top);
        Assert.False(byCase["quiet"].FalseAlarm);
        Assert.Contains("changed", byCase["broken"].Error, StringComparison.Ordinal);
        Assert.Equal((1, 0, 1), (report.Healthy, report.FalseAlarms, report.Errored));
        Assert.Equal(1 / 3.0, report.Top1, 6);
    }

    private void Write(string name, List<List<OpsAssistant.Core.Model.Span>> previous, List<List<OpsAssistant.Core.Model.Span>> current, string expected)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        File.WriteAllBytes(Path.Combine(dir, IncidentEvalRunner.PreviousFileName), OtlpJsonWriter.ToUtf8Bytes(previous.SelectMany(t => t)));
        File.WriteAllBytes(Path.Combine(dir, IncidentEvalRunner.CurrentFileName), OtlpJsonWriter.ToUtf8Bytes(current.SelectMany(t => t)));
        File.WriteAllText(Path.Combine(dir, "expected.json"), expected);
    }
}
