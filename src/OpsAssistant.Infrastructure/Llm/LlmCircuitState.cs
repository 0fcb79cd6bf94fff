using Polly.CircuitBreaker;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The state of the LLM client's circuit breaker, for readiness and the operator: while it is open every analysis falls
/// back to the deterministic engine without waiting on the provider. One per service provider, attached to the one
/// resilience pipeline of the LLM HttpClient.
/// </summary>
public sealed class LlmCircuitState
{
    internal CircuitBreakerStateProvider Provider { get; } = new();

    /// <summary>Closed, HalfOpen, Open or Isolated; Closed until the first call builds the pipeline.</summary>
    public CircuitState State => Provider.CircuitState;
}
