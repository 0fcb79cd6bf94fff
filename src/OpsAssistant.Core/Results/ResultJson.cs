using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OpsAssistant.Core.Evaluation;

namespace OpsAssistant.Core.Results;

/// <summary>The JSON options of the result contract: camelCase, nulls written (the contract shows <c>"model": null</c>).</summary>
public static class ResultJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static readonly ResultJsonContext Compact = new(Create(indented: false));
    private static readonly ResultJsonContext Pretty = new(Create(indented: true));

    /// <summary>The result with <see cref="Options"/>, from generated code (no reflection: the native CLI uses it).</summary>
    public static JsonTypeInfo<AnalysisResult> Result => Compact.AnalysisResult;

    /// <summary>The result with <see cref="Indented"/>, from generated code.</summary>
    public static JsonTypeInfo<AnalysisResult> IndentedResult => Pretty.AnalysisResult;

    /// <summary>The eval report with <see cref="Indented"/>, from generated code.</summary>
    public static JsonTypeInfo<EvalReport> IndentedReport => Pretty.EvalReport;

    /// <summary>A string-to-string map (the remediation catalogue), from generated code.</summary>
    internal static JsonTypeInfo<Dictionary<string, string>> StringMap => Compact.DictionaryStringString;

    private static JsonSerializerOptions Create(bool indented) => new(JsonSerializerDefaults.Web)
    {
        WriteIndented = indented,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
    };
}
