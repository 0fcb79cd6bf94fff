namespace OpsAssistant.Core.Analyses;

/// <summary>Lifecycle of a stored analysis (docs/http-api.md: queued|running|done|failed).</summary>
public enum AnalysisStatus
{
    Queued,
    Running,
    Done,
    Failed,
}
