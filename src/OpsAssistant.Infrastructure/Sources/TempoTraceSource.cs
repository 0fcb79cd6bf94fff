using Microsoft.Extensions.Logging;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Grafana Tempo's trace-by-ID API, asked for JSON (it answers protobuf otherwise).</summary>
public sealed class TempoTraceSource(HttpClient httpClient, ILogger<TempoTraceSource> logger)
    : HttpTraceSource(httpClient, logger)
{
    public override string Name => "tempo";

    protected override string RelativePath(string traceId) => $"api/traces/{Uri.EscapeDataString(traceId)}";
}
