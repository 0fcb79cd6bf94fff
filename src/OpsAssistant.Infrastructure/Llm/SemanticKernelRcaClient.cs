using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Asks the model through Semantic Kernel: the prompt file becomes a kernel function, the answer is constrained by a JSON
/// schema generated from <see cref="LlmAnswer"/>, and usage is read from the chat-client pipeline's record of the call.
/// </summary>
public sealed class SemanticKernelRcaClient : IRcaLlmClient
{
    private readonly Kernel _kernel;
    private readonly KernelFunction _function;
    private readonly LlmOptions _options;

    [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode", Justification = "A prompt function calls no .NET method, which is what SK's reflection serves (functions from methods); the native CLI's LLM path runs against a real OpenAI-compatible server in .ci/run (CliStdoutTests).")]
    [UnconditionalSuppressMessage("AOT", "IL3050:RequiresDynamicCode", Justification = "As above: no method functions, so no generated code; tested on the native CLI.")]
    public SemanticKernelRcaClient(Kernel kernel, PromptTemplateConfig prompt, LlmOptions options)
    {
        _kernel = kernel;
        _options = options;
        _function = kernel.CreateFunctionFromPrompt(prompt);
    }

    public string Model => _options.ModelOrDeployment;

    /// <summary>Builds a kernel whose chat service is the given chat-client pipeline (telemetry and usage recording included).</summary>
    public static Kernel CreateKernel(IChatClient chatClient)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(chatClient.AsChatCompletionService());
        return builder.Build();
    }

    public async Task<LlmReply> CompleteAsync(IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var settings = new OpenAIPromptExecutionSettings
        {
            ResponseFormat = AIJsonUtilities.CreateJsonSchema(typeof(LlmAnswer)),
            MaxTokens = _options.MaxOutputTokens,
            Temperature = _options.Temperature,
        };
        var arguments = new KernelArguments(settings);
        foreach (var (name, value) in variables)
        {
            arguments[name] = value;
        }

        var record = new LlmCallRecord();
        var previous = LlmCallRecord.Current.Value;
        LlmCallRecord.Current.Value = record;
        try
        {
            string content;
            if (_options.Stream)
            {
                var sb = new StringBuilder();
                await foreach (var chunk in _kernel.InvokeStreamingAsync<StreamingChatMessageContent>(_function, arguments, cancellationToken).ConfigureAwait(false))
                {
                    sb.Append(chunk.Content);
                }

                content = sb.ToString();
            }
            else
            {
                var result = await _kernel.InvokeAsync(_function, arguments, cancellationToken).ConfigureAwait(false);
                content = result.GetValue<string>() ?? "";
            }

            return new LlmReply(content, record.ResponseModel, record.InputTokens, record.OutputTokens, record.FinishReason, record.EstimatedCostUsd);
        }
        finally
        {
            LlmCallRecord.Current.Value = previous;
        }
    }
}
