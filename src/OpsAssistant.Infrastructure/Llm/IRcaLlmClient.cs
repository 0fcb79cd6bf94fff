namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The project's own seam over the LLM (docs/architecture.md: Semantic Kernel has a successor framework, so it stays replaceable). One call renders the
/// RCA prompt with the given variables and returns the model's text plus the usage the provider reported.
/// </summary>
public interface IRcaLlmClient
{
    string Model { get; }

    Task<LlmReply> CompleteAsync(IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken = default);
}
