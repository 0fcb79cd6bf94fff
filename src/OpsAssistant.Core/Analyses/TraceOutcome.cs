using System.Diagnostics.CodeAnalysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Analyses;

/// <summary>How asking a source for a trace by ID ended.</summary>
public enum TraceOutcomeKind
{
    /// <summary>The source returned the trace (and, for an analysis, it was analysed).</summary>
    Found,

    /// <summary>The source answered without the trace. An alert often fires before its trace reaches the backend.</summary>
    NotFound,

    /// <summary>The source could not answer: down, misconfigured, or it answered garbage.</summary>
    SourceFailed,
}

/// <summary>
/// What asking for a trace by ID came to: found (the trace, and the result when it was analysed), not found, or the source
/// failed. Each entry point words the two failures for its own caller: a problem response, a retried job, a chat line, a
/// tool error, a CLI message.
/// </summary>
public sealed record TraceOutcome
{
    private TraceOutcome(TraceOutcomeKind kind, TraceId traceId, string source)
    {
        Kind = kind;
        TraceId = traceId;
        Source = source;
    }

    public TraceOutcomeKind Kind { get; }

    public TraceId TraceId { get; }

    /// <summary>The source's name (<c>store</c>, <c>jaeger</c>, ...), as stored on the analysis.</summary>
    public string Source { get; }

    /// <summary>The trace, when found.</summary>
    public Trace? Trace { get; private init; }

    /// <summary>The analysis, when found and analysed.</summary>
    public AnalysisResult? Result { get; private init; }

    /// <summary>Why the source failed, when it did.</summary>
    public string? Failure { get; private init; }

    [MemberNotNullWhen(true, nameof(Trace))]
    public bool IsFound => Kind == TraceOutcomeKind.Found;

    public static TraceOutcome Found(TraceId traceId, string source, Trace trace, AnalysisResult? result = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return new(TraceOutcomeKind.Found, traceId, source) { Trace = trace, Result = result };
    }

    public static TraceOutcome NotFound(TraceId traceId, string source) => new(TraceOutcomeKind.NotFound, traceId, source);

    public static TraceOutcome SourceFailed(TraceId traceId, string source, string failure) =>
        new(TraceOutcomeKind.SourceFailed, traceId, source) { Failure = failure };
}
