using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAssistant.Infrastructure.Analyses;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The use-case room: <see cref="TraceAnalysisService"/>, and for the service, the queue worker and its signal.</summary>
public static class TraceAnalysisServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="TraceAnalysisService"/> over the configured sources, the full engine and the analysis store; needs
    /// <c>AddOpsAssistantAnalysis</c> and <c>AddOpsAssistantTraceSources</c>.
    /// </summary>
    public static IServiceCollection AddOpsAssistantTraceAnalysis(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(TraceAnalysisService.Create);
        return services;
    }

    /// <summary>
    /// The queue worker (a hosted service) and the signal that wakes it. Configure <see cref="AnalysisQueueOptions"/>, and
    /// register <c>IAnalysisCompletedHandler</c>s for what follows a queued analysis.
    /// </summary>
    public static IServiceCollection AddOpsAssistantAnalysisQueue(this IServiceCollection services)
    {
        services.AddOpsAssistantTraceAnalysis();
        services.AddOptions<AnalysisQueueOptions>();
        services.TryAddSingleton<AnalysisQueueSignal>();
        services.AddHostedService<AnalysisWorker>();
        return services;
    }
}
