using System.Text.Json;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation;

/// <summary>Writes and reads the eval report JSON with the result contract's options (camelCase, nulls written).</summary>
public static class EvalReportJson
{
    public static string Serialize(EvalReport report) => JsonSerializer.Serialize(report, ResultJson.IndentedReport);

    public static async Task WriteAsync(EvalReport report, string path, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, report, ResultJson.IndentedReport, cancellationToken).ConfigureAwait(false);
        }
    }
}
