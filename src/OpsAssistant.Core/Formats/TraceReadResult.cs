using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>Everything one input held: the detected format and its traces, grouped by trace ID in order of first appearance.</summary>
public sealed record TraceReadResult(TraceFormat Format, IReadOnlyList<Trace> Traces);
