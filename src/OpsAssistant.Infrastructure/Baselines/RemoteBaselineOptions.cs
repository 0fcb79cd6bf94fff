namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>Where a remote baseline source answers and how to reach it: shared by <c>Prometheus</c> and <c>Tempo</c>.</summary>
public abstract class RemoteBaselineOptions
{
    /// <summary>Base URL of the query API (e.g. <c>http://prometheus:9090</c>, <c>http://tempo:3200</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>How long one lookup may take, every retry included; past it the analysis goes on without baselines.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sent as <c>Authorization: Bearer</c>; takes precedence over <see cref="Username"/>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>With <see cref="Password"/>, sent as <c>Authorization: Basic</c>.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Sent as <c>X-Scope-OrgID</c>: the tenant of a multi-tenant Mimir, Cortex or Tempo.</summary>
    public string? OrgId { get; set; }
}

/// <summary>
/// Span metrics in Prometheus (or anything speaking its query API: Mimir, Thanos, VictoriaMetrics):
/// <c>OpsAssistant:Baselines:Prometheus</c>. <see cref="Flavor"/> chooses the metric and label names of the OpenTelemetry
/// Collector's spanmetrics connector or Tempo's metrics-generator; every name can be set on its own.
/// </summary>
public sealed class PrometheusBaselineOptions : RemoteBaselineOptions
{
    public const string CollectorFlavor = "OtelCollector";

    public const string TempoFlavor = "TempoMetricsGenerator";

    /// <summary><c>OtelCollector</c> (default) or <c>TempoMetricsGenerator</c>: the defaults of the names below.</summary>
    public string Flavor { get; set; } = CollectorFlavor;

    /// <summary>The duration histogram's name without <c>_bucket</c>/<c>_count</c>.</summary>
    public string? DurationMetric { get; set; }

    /// <summary><c>Seconds</c> or <c>Milliseconds</c>; unset: from the metric's name suffix, else the flavor's.</summary>
    public string? DurationUnit { get; set; }

    /// <summary>The calls counter (its status-code label tells failed calls).</summary>
    public string? CallsMetric { get; set; }

    public string? ServiceLabel { get; set; }

    public string? OperationLabel { get; set; }

    public string? KindLabel { get; set; }

    public string? StatusLabel { get; set; }

    /// <summary>The status-code label's value of a failed call.</summary>
    public string ErrorStatus { get; set; } = "STATUS_CODE_ERROR";

    public bool IsTempoFlavor => string.Equals(Flavor, TempoFlavor, StringComparison.OrdinalIgnoreCase);

    public string EffectiveDurationMetric => DurationMetric ?? (IsTempoFlavor ? "traces_spanmetrics_latency" : "traces_span_metrics_duration_milliseconds");

    public string EffectiveCallsMetric => CallsMetric ?? (IsTempoFlavor ? "traces_spanmetrics_calls_total" : "traces_span_metrics_calls_total");

    public string EffectiveServiceLabel => ServiceLabel ?? (IsTempoFlavor ? "service" : "service_name");

    public string EffectiveOperationLabel => OperationLabel ?? "span_name";

    public string EffectiveKindLabel => KindLabel ?? "span_kind";

    public string EffectiveStatusLabel => StatusLabel ?? "status_code";

    /// <summary>Milliseconds per unit of the histogram's values.</summary>
    public double MillisecondsPerUnit
    {
        get
        {
            if (DurationUnit is not null)
            {
                return string.Equals(DurationUnit, "Seconds", StringComparison.OrdinalIgnoreCase) ? 1000 : 1;
            }

            var name = EffectiveDurationMetric;
            if (name.EndsWith("_seconds", StringComparison.Ordinal))
            {
                return 1000;
            }

            return name.EndsWith("_milliseconds", StringComparison.Ordinal) || name.EndsWith("_ms", StringComparison.Ordinal) || !IsTempoFlavor ? 1 : 1000;
        }
    }
}

/// <summary>Tempo's TraceQL metrics API: <c>OpsAssistant:Baselines:Tempo</c>.</summary>
public sealed class TempoBaselineOptions : RemoteBaselineOptions
{
}
