using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Baselines;

/// <summary>
/// What normal looks like for one operation over a window: its latency quantiles, the share of its calls that failed and
/// how many calls that is drawn from.
/// </summary>
public sealed record OperationBaseline
{
    public required string Service { get; init; }

    public required string Operation { get; init; }

    public SpanKind Kind { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    /// <summary>Failed calls / calls, 0 to 1.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Calls the figures are drawn from.</summary>
    public long Count { get; init; }

    public DateTimeOffset From { get; init; }

    public DateTimeOffset To { get; init; }

    public OperationKey Key => new(Service, Operation, Kind);

    /// <summary>The baseline of the durations in <paramref name="sketch"/> and the failures among them.</summary>
    public static OperationBaseline FromSketch(OperationKey key, QuantileSketch sketch, long errors, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        var q = sketch.Quantiles(0.5, 0.9, 0.99);
        return new OperationBaseline
        {
            Service = key.Service,
            Operation = key.Operation,
            Kind = key.Kind,
            P50Ms = Math.Round(q[0], 3),
            P90Ms = Math.Round(q[1], 3),
            P99Ms = Math.Round(q[2], 3),
            ErrorRate = sketch.Count == 0 ? 0 : Math.Round(Math.Clamp((double)errors / sketch.Count, 0, 1), 4),
            Count = sketch.Count,
            From = from,
            To = to,
        };
    }
}
