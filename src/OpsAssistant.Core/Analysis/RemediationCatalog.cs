using System.Text.Json;

namespace OpsAssistant.Core.Analysis;

/// <summary>Remediation advice, loaded once from the embedded <c>Knowledge/remediations.json</c> data file.</summary>
public static class RemediationCatalog
{
    private static readonly Lazy<Dictionary<string, string>> Entries = new(Load);

    public static string For(string key) =>
        Entries.Value.TryGetValue(key, out var text) ? text : Entries.Value["unknown"];

    public static IReadOnlyCollection<string> Keys => Entries.Value.Keys;

    private static Dictionary<string, string> Load()
    {
        using var stream = typeof(RemediationCatalog).Assembly.GetManifestResourceStream("OpsAssistant.Core.Analysis.Knowledge.remediations.json")
            ?? throw new InvalidOperationException("The embedded remediation catalogue is missing from OpsAssistant.Core.");
        var all = JsonSerializer.Deserialize(stream, Results.ResultJson.StringMap) ?? [];
        all.Remove("_comment");
        return all;
    }
}
