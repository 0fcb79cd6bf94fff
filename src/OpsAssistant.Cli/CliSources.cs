using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Cli;

/// <summary>
/// Resolves <c>--source</c> for trace IDs from the same configuration as the service (<c>OpsAssistant:TraceSource</c>,
/// <c>OpsAssistant:Storage</c>): no name means the configured default.
/// </summary>
internal static class CliSources
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var services = new ServiceCollection();
        services.AddOpsAssistantTraceSources(CliHost.Configuration());
        return services.BuildServiceProvider();
    });

    /// <exception cref="ArgumentException">Unknown source name.</exception>
    /// <exception cref="TraceSourceException">The source needs a URL or path that is not configured.</exception>
    public static ITraceSource Resolve(string? name)
    {
        var resolver = Services.Value.GetRequiredService<TraceSourceResolver>();
        return name is null ? resolver.Default : resolver.Get(name);
    }
}
