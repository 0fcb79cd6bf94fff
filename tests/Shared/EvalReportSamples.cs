using OpsAssistant.Core.Evaluation;

namespace OpsAssistant.Tests;

/// <summary>One small eval report (a miss with an expectation, a hit, a broken case) for the report JSON and HTML tests.</summary>
internal static class EvalReportSamples
{
    public static EvalReport ThreeCases(string spanName = "Charge") => EvalScoring.Summarise(
    [
        new EvalCaseResult
        {
            Case = "error-01", Rank = null, Service = "frontend", Operation = spanName, Category = "error", PromptTokens = 1200,
            Expected = new ExpectedRootCause("payment", "Charge", "error"), PredictedCategory = "error", TopTitle = "title " + spanName,
        },
        new EvalCaseResult { Case = "cold-01", Rank = 1, Service = "fc", Operation = "PrepareCode", Category = "cold-start", PromptTokens = 800 },
        new EvalCaseResult { Case = "broken", Error = "expected.json is missing" },
    ]);
}
