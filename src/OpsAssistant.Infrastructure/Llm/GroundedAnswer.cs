using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>The model's hypotheses after grounding, and how many were dropped for citing no span of the trace.</summary>
public sealed record GroundedAnswer(IReadOnlyList<Hypothesis> Hypotheses, int Dropped);
