using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Sources;

/// <summary>The embedded trace store (SQLite by default, PostgreSQL when configured), fed by OTLP ingest.</summary>
public interface ITraceStore : ITraceSource
{
    /// <summary>Stores spans (any number of traces); a span already stored is replaced, never duplicated. Atomic per call.</summary>
    Task<int> AddSpansAsync(IReadOnlyCollection<Span> spans, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TraceSummary>> SearchAsync(TraceQuery query, CancellationToken cancellationToken = default);
}
