namespace OpsAssistant.Core.Analyses;

/// <summary>Lifecycle of a stored analysis (DESIGN.md: queued|running|done|failed).</summary>
public enum AnalysisStatus
{
    Queued,
    Running,
    Done,
    Failed,
}
