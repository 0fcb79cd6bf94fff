using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Infrastructure.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Incident-driven sampling: <c>OpsAssistant:Sampling</c> validated on start, the override store and service.</summary>
public static class SamplingServiceCollectionExtensions
{
    /// <summary>Needs the database from <c>AddOpsAssistantStorage</c>.</summary>
    public static IServiceCollection AddOpsAssistantSampling(this IServiceCollection services)
    {
        services.AddOptions<SamplingOptions>().BindConfiguration(SamplingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SamplingOptions>, SamplingOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISamplingOverrideStore>(sp => new SamplingOverrideRepository(sp.GetRequiredService<RelationalDatabase>()));
        services.AddSingleton<SamplingOverrideService>();
        return services;
    }
}
