namespace OpsAssistant.Core.Analysis.Findings;

/// <summary>An errored span that gave up while a span below it (status OK) was still using the time budget.</summary>
public sealed record TimeoutFinding(SpanRef GaveUp, SpanRef Locus, double BudgetMs, double LocusShare);
