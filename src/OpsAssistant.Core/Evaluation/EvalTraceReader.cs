using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Reads one trace from a case's <c>trace.json</c>. A delegate rather than a hard reference to the format readers so the
/// runner can be tested with canned traces; <paramref name="traceId"/> is the label's trace ID (null when absent).
/// </summary>
public delegate Task<Trace> EvalTraceReader(Stream stream, string? traceId, CancellationToken cancellationToken);
