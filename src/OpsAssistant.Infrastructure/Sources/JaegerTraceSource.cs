using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Jaeger's query service: API v1 (<c>/api/traces/{id}</c>) or v3 (<c>/api/v3/traces/{id}</c>), per <c>JaegerApi</c>.</summary>
public sealed class JaegerTraceSource(HttpClient httpClient, IOptions<TraceSourceOptions> options, ILogger<JaegerTraceSource> logger)
    : HttpTraceSource(httpClient, logger)
{
    private readonly bool _v3 = string.Equals(options.Value.JaegerApi, "V3", StringComparison.OrdinalIgnoreCase);

    public override string Name => "jaeger";

    protected override string RelativePath(string traceId) =>
        _v3 ? $"api/v3/traces/{Uri.EscapeDataString(traceId)}" : $"api/traces/{Uri.EscapeDataString(traceId)}";
}
