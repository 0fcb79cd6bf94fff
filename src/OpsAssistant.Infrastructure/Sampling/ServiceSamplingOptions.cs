namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>One service's sampling defaults: <c>OpsAssistant:Sampling:Services:&lt;service&gt;</c>.</summary>
public sealed class ServiceSamplingOptions
{
    /// <summary>The service's probability; null takes <see cref="SamplingOptions.DefaultRate"/>.</summary>
    public double? Rate { get; set; }

    /// <summary>Per-operation (root span name) probabilities, served as <c>perOperationStrategies</c>.</summary>
    public IDictionary<string, double> Operations { get; } = new Dictionary<string, double>(StringComparer.Ordinal);
}
