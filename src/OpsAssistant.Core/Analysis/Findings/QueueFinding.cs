namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>
/// A message that waited in a queue or topic: the producer that published it, the consumer that picked it up
/// <see cref="LagMs"/> later, and the spans that were waiting for the reply meanwhile (<see cref="WaiterSpanIds"/>; empty when
/// the request did not wait for the consumer). <see cref="SharePercent"/> is the lag's share of the trace.
/// </summary>
public sealed record QueueFinding(SpanRef Producer, SpanRef Consumer, string? Destination, string? System, double LagMs, double ConsumerMs, double SharePercent, IReadOnlyList<string> WaiterSpanIds)
{
    /// <summary>The span with the most own time in the consumer's subtree: the work the waiting request also waited for.</summary>
    public SpanRef? Busiest { get; init; }

    public double BusiestSelfMs { get; init; }
}
