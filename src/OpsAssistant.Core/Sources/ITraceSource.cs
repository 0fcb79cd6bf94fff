using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Sources;

/// <summary>Somewhere a trace can be fetched by ID: the embedded store, Jaeger, Tempo, Zipkin or a directory of files.</summary>
public interface ITraceSource
{
    /// <summary>Short name used in results and errors (<c>store</c>, <c>jaeger</c>, <c>tempo</c>, <c>zipkin</c>, <c>files</c>).</summary>
    string Name { get; }

    /// <summary>Returns the trace, or null when the source does not have it ("trace not found" is not an exception).</summary>
    Task<Trace?> GetTraceAsync(string traceId, CancellationToken cancellationToken = default);
}
