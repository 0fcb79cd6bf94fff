namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>Where per-operation baselines come from and what window they cover: <c>OpsAssistant:Baselines</c>.</summary>
public sealed class BaselineOptions
{
    public const string SectionName = "OpsAssistant:Baselines";

    public const string StoreSource = "Store";

    public const string NoneSource = "None";

    public const string PrometheusSource = "Prometheus";

    public const string TempoSource = "Tempo";

    /// <summary>
    /// <c>Store</c> (default: sketches kept at ingest in the trace store, merged by the database), <c>Prometheus</c> (span
    /// metrics histograms, <see cref="Prometheus"/>), <c>Tempo</c> (TraceQL metrics, <see cref="Tempo"/>) or <c>None</c> (no
    /// baselines: the analysis judges spans by their share of the trace only).
    /// </summary>
    public string Source { get; set; } = StoreSource;

    /// <summary>The rolling window a baseline covers.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Width of one stored bucket: sketches are kept per bucket, merged over the window when read, pruned by age.</summary>
    public TimeSpan BucketSize { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the sketches gathered at ingest are written to the database (one upsert batch per interval).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Buckets older than this are deleted; at least <see cref="Window"/>.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// How long the analysis reuses a service's baselines read from the store (0: never). A day's quantiles barely move in a
    /// minute, and reading a service's sketches is the expensive part of a lookup.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    public PrometheusBaselineOptions Prometheus { get; set; } = new();

    public TempoBaselineOptions Tempo { get; set; } = new();

    public bool IsPrometheus => string.Equals(Source, PrometheusSource, StringComparison.OrdinalIgnoreCase);

    public bool IsTempo => string.Equals(Source, TempoSource, StringComparison.OrdinalIgnoreCase);

    public bool IsStore => string.Equals(Source, StoreSource, StringComparison.OrdinalIgnoreCase);

    public bool IsNone => string.Equals(Source, NoneSource, StringComparison.OrdinalIgnoreCase);
}
