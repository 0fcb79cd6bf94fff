using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Per-operation baselines (<c>OpsAssistant:Baselines</c>): the recorder ingest feeds, the store-backed provider the
/// heuristic engine asks (with <c>Source: None</c>, <see cref="NoBaselineProvider"/>), and the flush service. Needs the
/// trace store (<c>AddOpsAssistantStorage</c>), whose database holds the sketches.
/// </summary>
public static class BaselineServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAssistantBaselines(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BaselineOptions>().Bind(configuration.GetSection(BaselineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BaselineOptions>, BaselineOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BaselineOptions>>().Value;
            return new BaselineRecorder((long)Math.Max(60_000, options.BucketSize.TotalMilliseconds)) { Enabled = options.IsStore };
        });
        services.AddSingleton(sp => new RelationalBaselineStore(
            sp.GetRequiredService<RelationalDatabase>().OpenAsync,
            sp.GetRequiredService<IOptions<BaselineOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IBaselineProvider>(sp => sp.GetRequiredService<IOptions<BaselineOptions>>().Value.IsStore
            ? sp.GetRequiredService<RelationalBaselineStore>()
            : NoBaselineProvider.Instance);
        services.AddSingleton<BaselineCatalog>();
        services.AddHostedService<BaselineFlushService>();
        return services;
    }
}
