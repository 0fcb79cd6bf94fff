using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>
/// Hands out the configured trace source, or one by name for callers that choose per request
/// (<c>POST /api/analyses {"source": "jaeger"}</c>, the CLI's <c>--source</c>).
/// </summary>
public sealed class TraceSourceResolver(IServiceProvider services, IOptions<TraceSourceOptions> options)
{
    /// <summary>Names accepted by <see cref="Get"/>: <see cref="TraceSourceKinds.Names"/>.</summary>
    public static IReadOnlyList<string> Names => TraceSourceKinds.Names;

    /// <summary>The source <c>OpsAssistant:TraceSource:Kind</c> names.</summary>
    public ITraceSource Default => Get(options.Value.Kind);

    /// <exception cref="ArgumentException">The name is not a known source.</exception>
    /// <exception cref="TraceSourceException">The source needs a URL or path that is not configured.</exception>
    public ITraceSource Get(string? name)
    {
        var kind = TraceSourceKinds.Normalize(name)
            ?? throw new ArgumentException($"Unknown trace source '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name));

        if (TraceSourceKinds.IsHttp(kind) && options.Value.Url is null)
        {
            throw new TraceSourceException(kind.ToLowerInvariant(), $"The {kind} source needs {TraceSourceOptions.SectionName}:Url.");
        }

        return kind switch
        {
            TraceSourceKinds.Store => services.GetRequiredService<ITraceStore>(),
            TraceSourceKinds.Jaeger => services.GetRequiredService<JaegerTraceSource>(),
            TraceSourceKinds.Tempo => services.GetRequiredService<TempoTraceSource>(),
            TraceSourceKinds.Zipkin => services.GetRequiredService<ZipkinTraceSource>(),
            _ => services.GetRequiredService<FileTraceSource>(),
        };
    }
}
