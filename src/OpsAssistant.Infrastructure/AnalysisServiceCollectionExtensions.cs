using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The analysis path shared by the service, the CLI and the eval: the heuristic engine (keyed), the prompt builder, and the
/// LLM engine in front of it as the <see cref="IRootCauseEngine"/>, whose results are redacted. Without an LLM the same engine answers heuristically
/// and still reports the size of the prompt it would have sent.
/// </summary>
public static class AnalysisServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAssistantAnalysis(this IServiceCollection services, Action<LlmHttpOptions>? configureLlmHttp = null)
    {
        services.AddOptions<RedactionOptions>().BindConfiguration(RedactionOptions.SectionName);
        services.AddSingleton(sp => new SecretRedactor(sp.GetRequiredService<IOptions<RedactionOptions>>().Value));
        services.AddKeyedSingleton<IRootCauseEngine, HeuristicEngine>(EngineKeys.Heuristic);
        services.AddSingleton<IPromptSectionWriter, FindingsPromptWriter>();
        services.AddSingleton<IRcaPromptBuilder, RcaPromptBuilder>();
        services.AddMemoryCache();
        services.AddOpsAssistantLlm(configureLlmHttp);
        services.AddSingleton<IRootCauseEngine>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LlmOptions>>();
            var llm = new LlmRootCauseEngine(
                sp.GetRequiredKeyedService<IRootCauseEngine>(EngineKeys.Heuristic),
                sp.GetRequiredService<IRcaPromptBuilder>(),
                options.Value.IsEnabled ? sp.GetRequiredService<IRcaLlmClient>() : null,
                sp.GetRequiredService<IMemoryCache>(),
                options,
                sp.GetRequiredService<ILogger<LlmRootCauseEngine>>());

            // Results carry span text into storage, the API, chat and notifications: redacted here, once, for all of them.
            return new RedactingRootCauseEngine(llm, sp.GetRequiredService<SecretRedactor>());
        });
        return services;
    }
}
