using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using OpsAssistant.Infrastructure.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LLM path: options (validated on start), one resilient HttpClient, the chat-client pipeline and SK.</summary>
public static class LlmServiceCollectionExtensions
{
    public const string HttpClientName = "OpsAssistant.Llm";

    public static IServiceCollection AddOpsAssistantLlm(this IServiceCollection services, Action<LlmHttpOptions>? configureHttp = null)
    {
        services.AddOptions<LlmOptions>()
            .BindConfiguration(LlmOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsRangeValidator>();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();

        var httpOptions = new LlmHttpOptions();
        configureHttp?.Invoke(httpOptions);

        var http = services.AddHttpClient(HttpClientName);
        if (httpOptions.RecordDirectory is { } record)
        {
            http.AddHttpMessageHandler(() => new LlmExchangeArchive(record, replay: false));
        }
        else if (httpOptions.ReplayDirectory is { } replay)
        {
            http.AddHttpMessageHandler(() => new LlmExchangeArchive(replay, replay: true));
        }

        services.AddSingleton<LlmCircuitState>();
        http.AddStandardResilienceHandler().Configure((resilience, sp) =>
        {
            ConfigureResilience(resilience, sp.GetRequiredService<IOptions<LlmOptions>>().Value);
            resilience.CircuitBreaker.StateProvider = sp.GetRequiredService<LlmCircuitState>().Provider;
        });
        if (httpOptions.ReplayDirectory is not null)
        {
            // Replay never touches the network; the primary handler is never reached, but must not be a real socket either.
            http.ConfigurePrimaryHttpMessageHandler(() => new UnreachableHandler());
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return ChatClientFactory.Create(options, client, sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton<IToolCallingChat>(sp => new SemanticKernelToolChat(sp.GetRequiredService<IChatClient>()));
        services.AddSingleton(_ => PromptFile.Load(Path.Combine(PromptFile.DefaultDirectory, "rca.yaml")));
        services.AddSingleton<IRcaLlmClient>(sp => new SemanticKernelRcaClient(
            SemanticKernelRcaClient.CreateKernel(sp.GetRequiredService<IChatClient>()),
            sp.GetRequiredService<PromptTemplateConfig>(),
            sp.GetRequiredService<IOptions<LlmOptions>>().Value));
        return services;
    }

    /// <summary>
    /// Sizes the standard pipeline for LLM latency: the per-attempt timeout is the configured one (default 60 s, not 10 s),
    /// the total covers every attempt plus backoff, and the breaker samples at least twice the attempt timeout as Polly requires.
    /// Retry-After is honoured by the retry strategy.
    /// </summary>
    internal static void ConfigureResilience(HttpStandardResilienceOptions resilience, LlmOptions options)
    {
        resilience.AttemptTimeout.Timeout = options.Timeout;
        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        if (options.MaxRetries == 0)
        {
            resilience.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
        }

        resilience.Retry.Delay = options.RetryBaseDelay;
        resilience.Retry.UseJitter = true;
        var backoffAllowance = TimeSpan.FromTicks(options.RetryBaseDelay.Ticks * (1L << Math.Min(options.MaxRetries, 6))) + TimeSpan.FromSeconds(30);
        resilience.TotalRequestTimeout.Timeout = options.Timeout * (options.MaxRetries + 1) + backoffAllowance;
        var sampling = options.Timeout * 2 > TimeSpan.FromSeconds(30) ? options.Timeout * 2 : TimeSpan.FromSeconds(30);
        resilience.CircuitBreaker.SamplingDuration = sampling;
        resilience.CircuitBreaker.MinimumThroughput = 5;
        resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
    }

    private sealed class UnreachableHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new LlmReplayMissException("Replay mode reached the network; no recorded exchange answered this request.");
    }
}
