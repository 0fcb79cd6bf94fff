using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Conversations;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the trace store and the trace sources from configuration. Usable outside ASP.NET (the CLI builds a plain
/// ServiceCollection): everything binds from the <see cref="IConfiguration"/> passed in.
/// </summary>
public static class TraceSourceServiceCollectionExtensions
{
    /// <summary>
    /// The store (<c>OpsAssistant:Storage</c>): one <see cref="RelationalDatabase"/> per container (SQLite or PostgreSQL)
    /// and over it one repository per concern, each registered as the Core interface it implements (<see cref="ITraceStore"/>,
    /// <see cref="IAnalysisStore"/> and <see cref="IAnalysisQueue"/>, <see cref="IConversationStore"/>). A relative SQLite
    /// path is resolved against the host's content root, else the current directory.
    /// </summary>
    public static IServiceCollection AddOpsAssistantStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RelationalDatabase>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            if (options.IsPostgres)
            {
                return new PostgresDatabase(options.ConnectionString!, loggers.CreateLogger<PostgresDatabase>());
            }

            var connectionString = options.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                var root = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
                connectionString = SqliteDatabase.ConnectionStringForFile(Path.Combine(root, options.Path));
            }

            return new SqliteDatabase(connectionString, loggers.CreateLogger<SqliteDatabase>());
        });
        services.AddSingleton(sp => new TraceRepository(sp.GetRequiredService<RelationalDatabase>(), sp.GetRequiredService<ILogger<TraceRepository>>())
        {
            TraceCacheSpans = sp.GetRequiredService<IOptions<StorageOptions>>().Value.TraceCacheSpans,
        });
        services.AddSingleton(sp => new AnalysisRepository(sp.GetRequiredService<RelationalDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ConversationRepository(sp.GetRequiredService<RelationalDatabase>()));
        services.AddSingleton<ITraceStore>(sp => sp.GetRequiredService<TraceRepository>());
        services.AddSingleton<IAnalysisStore>(sp => sp.GetRequiredService<AnalysisRepository>());
        services.AddSingleton<IAnalysisQueue>(sp => sp.GetRequiredService<AnalysisRepository>());
        services.AddSingleton<IAlertIntake>(sp => sp.GetRequiredService<AnalysisRepository>());
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<ConversationRepository>());
        return services;
    }

    /// <summary>
    /// The store, the Jaeger/Tempo/Zipkin/file sources (typed HttpClients with the standard resilience handler sized by
    /// <c>OpsAssistant:TraceSource</c>), <see cref="TraceSourceResolver"/>, and <see cref="ITraceSource"/> = the configured one.
    /// </summary>
    public static IServiceCollection AddOpsAssistantTraceSources(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLogging();
        services.AddOpsAssistantStorage(configuration);
        services.AddOptions<TraceSourceOptions>().Bind(configuration.GetSection(TraceSourceOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TraceSourceOptions>, TraceSourceOptionsValidator>();

        AddBackend<JaegerTraceSource>(services);
        AddBackend<TempoTraceSource>(services);
        AddBackend<ZipkinTraceSource>(services);
        services.AddSingleton<FileTraceSource>();
        services.AddSingleton<TraceSourceResolver>();
        services.AddTransient(sp => sp.GetRequiredService<TraceSourceResolver>().Default);
        return services;
    }

    private static void AddBackend<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource>(IServiceCollection services)
        where TSource : HttpTraceSource
    {
        var http = services.AddHttpClient<TSource>((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<TraceSourceOptions>>().Value;
                if (options.Url is not null)
                {
                    // A base address without a trailing slash would drop its last segment from relative paths.
                    var text = options.Url.ToString();
                    client.BaseAddress = new Uri(text.EndsWith('/') ? text : text + "/");
                }

                // The resilience pipeline owns timeouts; HttpClient's own 100 s must not cut it short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            });
        http.AddStandardResilienceHandler()
            .Configure((resilience, sp) => ConfigureResilience(resilience, sp.GetRequiredService<IOptions<TraceSourceOptions>>().Value));

        // Inside the resilience handler, so every attempt carries the credentials.
        http.AddHttpMessageHandler(sp => new TraceSourceCredentialsHandler(sp.GetRequiredService<IOptions<TraceSourceOptions>>().Value));
    }

    /// <summary>
    /// Trace backends answer in seconds, but a large trace can take several: the per-attempt timeout comes from options
    /// (default 15 s, not 10 s), the total covers every attempt, and the breaker samples twice the attempt timeout as Polly requires.
    /// </summary>
    internal static void ConfigureResilience(HttpStandardResilienceOptions resilience, TraceSourceOptions options)
    {
        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        if (options.MaxRetries == 0)
        {
            resilience.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
        }

        resilience.Retry.Delay = options.RetryDelay;
        resilience.CircuitBreaker.SamplingDuration = options.AttemptTimeout * 2 > TimeSpan.FromSeconds(30) ? options.AttemptTimeout * 2 : TimeSpan.FromSeconds(30);
    }
}
