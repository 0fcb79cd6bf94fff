using System.Text.Json.Serialization;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Source-generated JSON for the LLM path's own documents (the model's answer, recorded runs), so they are read and
/// written without reflection, as the ahead-of-time compiled CLI requires. Each user creates it with its own options.
/// </summary>
[JsonSerializable(typeof(LlmAnswer))]
[JsonSerializable(typeof(LlmRunManifest))]
[JsonSerializable(typeof(LlmExchangeArchive.RecordedExchange))]
internal sealed partial class LlmJsonContext : JsonSerializerContext;
