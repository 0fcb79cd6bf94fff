namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Which provider, model and endpoint path a recorded run used; replay rebuilds the same client from it so requests hash to
/// the recorded keys (the host never matters: replay does not touch the network).
/// </summary>
public sealed record LlmRunManifest(LlmProvider Provider, string Model, string EndpointPath, int MaxPromptTokens, int MaxOutputTokens, double Temperature, bool Stream, DateTimeOffset RecordedAt);
