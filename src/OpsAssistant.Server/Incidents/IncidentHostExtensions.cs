using OpsAssistant.Server.Incidents;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Incidents in the service: the shared incident path, the signal webhooks raise and the worker that runs alert incidents.</summary>
internal static class IncidentHostExtensions
{
    public static IServiceCollection AddOpsAssistantIncidentWorker(this IServiceCollection services)
    {
        services.AddOpsAssistantIncidents();
        services.AddSingleton<IncidentQueueSignal>();
        services.AddSingleton<AlertIncidents>();
        services.AddHostedService<IncidentWorker>();
        return services;
    }
}
