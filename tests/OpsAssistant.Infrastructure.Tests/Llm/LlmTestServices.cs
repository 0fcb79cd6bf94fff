using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Tests.Llm;

/// <summary>Builds the production LLM registrations against a fake server, with test-sized timeouts.</summary>
internal static class LlmTestServices
{
    public static ServiceProvider Build(
        Uri endpoint,
        Action<Dictionary<string, string?>>? configure = null,
        Action<LlmHttpOptions>? http = null,
        LlmProvider provider = LlmProvider.OpenAICompatible,
        Action<IServiceCollection>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OpsAssistant:Llm:Provider"] = provider.ToString(),
            ["OpsAssistant:Llm:Endpoint"] = endpoint.ToString(),
            ["OpsAssistant:Llm:Model"] = "fake-model",
            ["OpsAssistant:Llm:ApiKey"] = "test-key",
            ["OpsAssistant:Llm:Timeout"] = "00:00:02",
            ["OpsAssistant:Llm:MaxRetries"] = "2",
            ["OpsAssistant:Llm:RetryBaseDelay"] = "00:00:00.050",
            ["OpsAssistant:Llm:Prices:fake-model-2026:InputPerMillion"] = "2.5",
            ["OpsAssistant:Llm:Prices:fake-model-2026:OutputPerMillion"] = "10",
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOpsAssistantLlm(http);
        extra?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static IReadOnlyDictionary<string, string> Variables(string traceData = "## Overview\n- root frontend/GET [aaaaaaaaaaaaaaaa]") => new Dictionary<string, string>
    {
        ["trace_id"] = "0123456789abcdef0123456789abcdef",
        ["categories"] = "error, latency, unknown",
        ["trace_data"] = traceData,
        ["data_fence"] = "TRACE-DATA-1234",
    };
}
