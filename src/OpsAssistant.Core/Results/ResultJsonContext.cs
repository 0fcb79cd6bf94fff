using System.Text.Json.Serialization;
using OpsAssistant.Core.Evaluation;

namespace OpsAssistant.Core.Results;

/// <summary>
/// Source-generated serialization of the result contract and the eval report, so the native (ahead-of-time compiled) CLI
/// writes them without reflection. Used through <see cref="ResultJson"/>, whose options it shares.
/// </summary>
[JsonSerializable(typeof(AnalysisResult))]
[JsonSerializable(typeof(EvalReport))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
