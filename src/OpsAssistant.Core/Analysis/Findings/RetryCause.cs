namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>
/// What the callee shows about why a retry storm's attempts failed: the span where each attempt's time went (kind lock,
/// pool, query or work), how many of the failed attempts it explains and its mean duration. The storm only amplifies it.
/// </summary>
public sealed record RetryCause(SpanRef Span, string Kind, int Explained, int Failed, double MeanMs, IReadOnlyList<string> SpanIds);
