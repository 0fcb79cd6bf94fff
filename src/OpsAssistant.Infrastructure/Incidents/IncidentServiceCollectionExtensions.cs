using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Infrastructure.Incidents;
using OpsAssistant.Infrastructure.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Incidents over the embedded store: the window reader, the incident store and <see cref="IncidentService"/>.</summary>
public static class IncidentServiceCollectionExtensions
{
    /// <summary>Needs the store (<c>AddOpsAssistantTraceSources</c>) and the analysis path (<c>AddOpsAssistantAnalysis</c>).</summary>
    public static IServiceCollection AddOpsAssistantIncidents(this IServiceCollection services)
    {
        services.AddOptions<IncidentOptions>().BindConfiguration(IncidentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IIncidentWindowReader>(sp => new StoreIncidentWindowReader(sp.GetRequiredService<RelationalDatabase>()));
        services.AddSingleton<IIncidentStore>(sp => new RelationalIncidentStore(sp.GetRequiredService<RelationalDatabase>()));
        services.AddSingleton<IncidentService>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
