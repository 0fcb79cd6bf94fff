using OpsAssistant.Core.Sources;

namespace OpsAssistant.Cli;

/// <summary>
/// Resolves <c>--source</c> for trace IDs. Backend sources (store, Jaeger, Tempo, Zipkin) come from the infrastructure's
/// source registrations; until one is configured, a trace ID cannot be looked up and the CLI says which key to set.
/// </summary>
internal static class CliSources
{
    public static ITraceSource? Resolve(string? name) => null;
}
