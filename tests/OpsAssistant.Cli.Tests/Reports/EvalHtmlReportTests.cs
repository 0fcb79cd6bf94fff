using OpsAssistant.Cli.Reports;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Tests;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Cli.Tests.Reports;

public sealed class EvalHtmlReportTests
{
    private static EvalReport Sample(string spanName = "Charge") => EvalReportSamples.ThreeCases(spanName);

    [Fact]
    public void Render_Html_IsSelfContained()
    {
        var html = EvalHtmlReport.Render(Sample());

        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SpanNameWithScriptTag_IsEncoded()
    {
        var html = EvalHtmlReport.Render(Sample("<script>alert(1)</script>"));

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Misses_ListsExpectedAndPredictedAndErrors()
    {
        var html = EvalHtmlReport.Render(Sample());

        Assert.Contains("payment / Charge", html, StringComparison.Ordinal);
        Assert.Contains("frontend / Charge", html, StringComparison.Ordinal);
        Assert.Contains("expected.json is missing", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">cold-01<", html.Split("All 3 cases")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_FalseAlarmsInvarianceAndEce_AreShownAndEncoded()
    {
        var report = EvalScoring.Summarise(
        [
            new EvalCaseResult { Case = "a", Rank = 1, Confidence = 0.9, PredictedCategory = Categories.Latency, Category = "latency" },
            new EvalCaseResult { Case = "healthy-01", Healthy = true, FalseAlarm = true, Confidence = 0.65, PredictedCategory = Categories.Latency, Category = "healthy", Service = "<b>svc</b>", Operation = "op", TopTitle = "<img src=x onerror=alert(1)>" },
        ]) with
        {
            Invariance = new Dictionary<string, double> { ["to-zipkin-v2"] = 0.5 },
            InvarianceFailures = [new InvarianceFailure("to-zipkin-v2", "a", "svc / <script>", "other / op")],
        };

        var html = EvalHtmlReport.Render(report);

        Assert.Contains("False alarms", html, StringComparison.Ordinal);
        Assert.Contains("healthy-01", html, StringComparison.Ordinal);
        Assert.Contains("Metamorphic invariance", html, StringComparison.Ordinal);
        Assert.Contains("to-zipkin-v2", html, StringComparison.Ordinal);
        Assert.Contains("calibration error (ECE)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>svc</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
    }
}
