using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// <see cref="IToolCallingChat"/> over Semantic Kernel: each turn gets its own kernel holding the turn's tools as plugins
/// (one per tool group), automatic function calling, and <see cref="ToolCallFilter"/> for the step limit, the
/// <c>execute_tool</c> spans and the progress events.
/// </summary>
/// <param name="chatClient">The configured model client (with its OpenTelemetry and usage pipeline).</param>
internal sealed class SemanticKernelToolChat(IChatClient chatClient) : IToolCallingChat
{
    public async IAsyncEnumerable<string> StreamAsync(ToolChatRequest request, IToolChatListener listener, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(listener);
        var builder = Kernel.CreateBuilder();
        // Function invocation sits outside the telemetry pipeline, so every round trip to the model is its own GenAI span
        // and SK's auto-invocation filters (step limit, tool spans) see every tool call.
        var client = chatClient.AsBuilder().UseKernelFunctionInvocation()
            .Use(inner => new ConversationChatClient(inner, request.ConversationId)).Build();
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        foreach (var group in request.Tools.GroupBy(t => t.Group, StringComparer.Ordinal))
        {
            builder.Plugins.AddFromFunctions(group.Key, group.Select(t => KernelFunctionFactory.CreateFromMethod(t.Function, t.Name, t.Description)));
        }

        var kernel = builder.Build();
        kernel.AutoFunctionInvocationFilters.Add(new ToolCallFilter(request.MaxToolSteps, listener, request.ConversationId));

        var history = new ChatHistory(request.SystemPrompt);
        foreach (var turn in request.History)
        {
            history.AddMessage(turn.Role == ToolChatRole.User ? AuthorRole.User : AuthorRole.Assistant, turn.Content);
        }

        history.AddUserMessage(request.Message);
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel, cancellationToken).ConfigureAwait(false))
        {
            if (!string.IsNullOrEmpty(chunk.Content))
            {
                yield return chunk.Content;
            }
        }
    }
}
