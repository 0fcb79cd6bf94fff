using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Llm;
using Polly.CircuitBreaker;

namespace OpsAssistant.Server.Health;

/// <summary>
/// The LLM client's circuit. Open means the provider failed repeatedly and analyses are answered by the deterministic
/// engine alone until it closes: the service is degraded, not down (an LLM makes answers better, never possible).
/// </summary>
internal sealed class LlmCircuitHealthCheck(LlmCircuitState circuit, IOptions<LlmOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.IsEnabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no LLM configured: the deterministic engine answers"));
        }

        return Task.FromResult(circuit.State switch
        {
            CircuitState.Open or CircuitState.Isolated => HealthCheckResult.Degraded("The LLM circuit is open: analyses fall back to the deterministic engine until it closes."),
            CircuitState.HalfOpen => HealthCheckResult.Healthy("The LLM circuit is half-open: the next call tests the provider."),
            _ => HealthCheckResult.Healthy("LLM circuit closed"),
        });
    }
}
