using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>Every trace found in one input, in order of first appearance, and the format they were read from.</summary>
public sealed record TraceReadResult(TraceFormat Format, IReadOnlyList<Trace> Traces);
