using System.Diagnostics;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Results;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// The embedded default engine: deterministic analysis and ranking, no LLM. Its only I/O is asking the baseline provider for
/// the trace's operations as of the trace's start (none with <c>Source: None</c>); baselines set for the call flow
/// (<see cref="BaselineScope"/>) take the provider's place.
/// </summary>
public sealed class HeuristicEngine(IBaselineProvider baselines) : IRootCauseEngine
{
    public HeuristicEngine()
        : this(NoBaselineProvider.Instance)
    {
    }

    public async Task<AnalysisResult> AnalyzeAsync(Trace trace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trace);
        cancellationToken.ThrowIfCancellationRequested();
        var set = BaselineScope.Current;
        if (set is null && baselines is not NoBaselineProvider && trace.Spans.Count > 0)
        {
            set = await baselines.GetBaselinesAsync(Operations(trace), AsOf(trace), cancellationToken).ConfigureAwait(false);
        }

        return Analyze(trace, set).Result;
    }

    /// <summary>Analysis and result together, for callers that also need the findings (the prompt builder).</summary>
    public static (TraceAnalysis Analysis, AnalysisResult Result) Analyze(Trace trace) => Analyze(trace, null);

    /// <summary>Analysis and result with each operation's baseline in view; null or empty baselines change nothing.</summary>
    public static (TraceAnalysis Analysis, AnalysisResult Result) Analyze(Trace trace, BaselineSet? baselines)
    {
        var watch = Stopwatch.StartNew();
        var analysis = TraceAnalysisCache.GetOrAnalyze(trace);
        var result = HeuristicRanker.Rank(analysis, baselines);
        return (analysis, result with { ElapsedMs = Math.Round(watch.Elapsed.TotalMilliseconds, 2) });
    }

    /// <summary>
    /// The instant a trace is judged as of: its earliest span's start. History up to there is what normal looked like; the
    /// trace's own spans, and whatever went wrong around them, come after.
    /// </summary>
    public static DateTimeOffset AsOf(Trace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (trace.Spans.Count == 0)
        {
            throw new ArgumentException("A trace without spans has no start.", nameof(trace));
        }

        var start = long.MaxValue;
        foreach (var span in trace.Spans)
        {
            start = Math.Min(start, span.StartUnixNano);
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(start / 1_000_000, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
    }

    /// <summary>The distinct (service, operation, kind) of a trace: what the analysis asks the provider for, in one call.</summary>
    public static IReadOnlyCollection<OperationKey> Operations(Trace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var keys = new HashSet<OperationKey>();
        foreach (var span in trace.Spans)
        {
            keys.Add(new OperationKey(span.ServiceName, span.Name, span.Kind));
        }

        return keys;
    }
}
