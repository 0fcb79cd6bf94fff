using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
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
        AddRemote<PrometheusBaselineProvider>(services, o => o.Prometheus);
        AddRemote<TempoBaselineProvider>(services, o => o.Tempo);
        services.AddSingleton<IBaselineProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BaselineOptions>>().Value;
            return options.IsStore ? sp.GetRequiredService<RelationalBaselineStore>()
                : options.IsPrometheus ? sp.GetRequiredService<PrometheusBaselineProvider>()
                : options.IsTempo ? sp.GetRequiredService<TempoBaselineProvider>()
                : NoBaselineProvider.Instance;
        });
        services.AddSingleton<BaselineCatalog>();
        services.AddHostedService<BaselineFlushService>();
        return services;
    }

    /// <summary>
    /// A remote source's typed HttpClient: the standard resilience handler bounded by the source's <c>Timeout</c> (a lookup
    /// delays the analysis, so one short retry at most), then the credentials on every attempt.
    /// </summary>
    private static void AddRemote<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(
        IServiceCollection services, Func<BaselineOptions, RemoteBaselineOptions> select)
        where TProvider : RemoteBaselineProvider
    {
        var http = services.AddHttpClient<TProvider>((sp, client) =>
        {
            var url = select(sp.GetRequiredService<IOptions<BaselineOptions>>().Value).Url;
            if (url is not null)
            {
                // A base address without a trailing slash would drop its last segment from relative paths.
                var text = url.ToString();
                client.BaseAddress = new Uri(text.EndsWith('/') ? text : text + "/");
            }

            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        http.AddStandardResilienceHandler().Configure((resilience, sp) =>
        {
            var timeout = select(sp.GetRequiredService<IOptions<BaselineOptions>>().Value).Timeout;
            resilience.TotalRequestTimeout.Timeout = timeout;
            resilience.AttemptTimeout.Timeout = timeout;
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
            resilience.CircuitBreaker.SamplingDuration = timeout * 2 > TimeSpan.FromSeconds(30) ? timeout * 2 : TimeSpan.FromSeconds(30);
        });
        http.AddHttpMessageHandler(sp => new BaselineSourceCredentialsHandler(select(sp.GetRequiredService<IOptions<BaselineOptions>>().Value)));
    }
}
