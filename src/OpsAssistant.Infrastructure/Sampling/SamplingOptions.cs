namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// Head-sampling strategies served at <c>GET /api/sampling</c> and the incident overrides on top: <c>OpsAssistant:Sampling</c>.
/// </summary>
public sealed class SamplingOptions
{
    public const string SectionName = "OpsAssistant:Sampling";

    /// <summary>Probability for services without their own entry in <see cref="Services"/>: 1% of traces in routine.</summary>
    public double DefaultRate { get; set; } = 0.01;

    /// <summary>Per-service defaults: <c>Services:checkout:Rate</c>, <c>Services:checkout:Operations:&lt;operation&gt;</c>.</summary>
    public IDictionary<string, ServiceSamplingOptions> Services { get; } = new Dictionary<string, ServiceSamplingOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Served as <c>operationSampling.defaultLowerBoundTracesPerSecond</c>: Jaeger-protocol samplers guarantee this many
    /// traces per second per operation whatever the probability. 0 leaves the probability alone.
    /// </summary>
    public double LowerBoundTracesPerSecond { get; set; }

    /// <summary>The rate an alert raises its service to; overrides at or above it count against <see cref="MaxFullServices"/>.</summary>
    public double IncidentRate { get; set; } = 1.0;

    /// <summary>How long an alert's raise lasts when no resolved notification ends it first.</summary>
    public TimeSpan IncidentTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Longest override an operator or the chat may set.</summary>
    public TimeSpan MaxOverrideTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>At most this many services sampled at <see cref="IncidentRate"/> or above at once: an alert storm must not turn 1% into 100% everywhere.</summary>
    public int MaxFullServices { get; set; } = 5;

    /// <summary>
    /// SDK samplers and the Collector's jaegerremotesampling extension poll strategies without credentials, so
    /// <c>GET /api/sampling</c> is readable without an API key unless this is false. Override routes always need the key.
    /// </summary>
    public bool AllowAnonymousStrategies { get; set; } = true;
}
