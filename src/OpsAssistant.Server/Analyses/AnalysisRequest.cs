namespace OpsAssistant.Server.Analyses;

/// <summary><c>POST /api/analyses</c> body: which trace, and optionally which source to read it from (default: the configured one).</summary>
internal sealed record AnalysisRequest(string? TraceId, string? Source);
