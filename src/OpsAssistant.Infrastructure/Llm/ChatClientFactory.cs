using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Builds the <see cref="IChatClient"/> pipeline for the configured provider: the vendor SDK over our resilient HttpClient
/// (SDK retries off so the resilience handler is the only retrier), wrapped in Microsoft.Extensions.AI's OpenTelemetry
/// client, which emits the GenAI spec span and both <c>gen_ai.client.*</c> metrics with real usage, streaming included.
/// </summary>
public static class ChatClientFactory
{
    public static IChatClient Create(LlmOptions options, HttpClient httpClient, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transport = new HttpClientPipelineTransport(httpClient);
        var noRetries = new ClientRetryPolicy(0);

        // The HttpClient's own resilience pipeline enforces per-attempt and total timeouts; the SDK's must not cut in first.
        var networkTimeout = System.Threading.Timeout.InfiniteTimeSpan;
        IChatClient vendor = options.Provider switch
        {
            LlmProvider.AzureOpenAI => new AzureOpenAIClient(
                    options.Endpoint!,
                    new ApiKeyCredential(options.ApiKey!),
                    new AzureOpenAIClientOptions { Transport = transport, RetryPolicy = noRetries, NetworkTimeout = networkTimeout })
                .GetChatClient(options.ModelOrDeployment)
                .AsIChatClient(),
            LlmProvider.OpenAI or LlmProvider.OpenAICompatible => new OpenAI.Chat.ChatClient(
                    options.ModelOrDeployment,
                    new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey),
                    new OpenAIClientOptions
                    {
                        Endpoint = options.Endpoint,
                        Transport = transport,
                        RetryPolicy = noRetries,
                        NetworkTimeout = networkTimeout,
                    })
                .AsIChatClient(),
            _ => throw new InvalidOperationException($"{LlmOptions.SectionName}:Provider is None: no chat client to build."),
        };

        return new ChatClientBuilder(vendor)
            .UseOpenTelemetry(loggerFactory, OpsAssistantTelemetry.SourceName, c => c.EnableSensitiveData = options.RecordContent)
            .Use(inner => new UsageRecordingChatClient(inner, options))
            .Build();
    }
}
