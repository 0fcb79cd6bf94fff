using Microsoft.Extensions.Logging;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Zipkin's v2 API (<c>/api/v2/trace/{id}</c>), which takes 64- and 128-bit IDs alike.</summary>
public sealed class ZipkinTraceSource(HttpClient httpClient, ILogger<ZipkinTraceSource> logger)
    : HttpTraceSource(httpClient, logger)
{
    public override string Name => "zipkin";

    protected override string RelativePath(string traceId) => $"api/v2/trace/{Uri.EscapeDataString(traceId)}";
}
