using System.Text.Json;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// The eval report JSON with the result contract's options (camelCase, nulls written, indented: <see cref="ResultJson.Indented"/>).
/// Core renders it; the CLI writes the file.
/// </summary>
public static class EvalReportJson
{
    public static string Serialize(EvalReport report) => JsonSerializer.Serialize(report, ResultJson.IndentedReport);
}
