using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OpsAssistant.Server.Notifications;

namespace Microsoft.Extensions.DependencyInjection;

internal static class NotificationServiceCollectionExtensions
{
    /// <summary>The notification outbox: options (validated on start), the notifier's HttpClient and the dispatcher.</summary>
    public static IServiceCollection AddOpsAssistantNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.AddSingleton<NotificationSignal>();
        services.AddSingleton<OpsAssistant.Core.Analyses.IAnalysisCompletedHandler, NotificationOnCompletion>();
        services.AddHttpClient<AnalysisNotifier>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                // One delivery's whole budget; the outbox retries beyond it with its own, longer backoff.
                var timeout = provider.GetRequiredService<IOptions<NotificationOptions>>().Value.Timeout;
                resilience.TotalRequestTimeout.Timeout = timeout;
                resilience.AttemptTimeout.Timeout = timeout / 3;
                resilience.CircuitBreaker.SamplingDuration = timeout / 3 * 2 > TimeSpan.FromSeconds(30) ? timeout / 3 * 2 : TimeSpan.FromSeconds(30);
            });
        services.AddHostedService<NotificationDispatcher>();
        return services;
    }
}
