using System.Diagnostics;
using Microsoft.SemanticKernel;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Wraps every tool call the model makes: one GenAI <c>execute_tool</c> span per call (with <c>gen_ai.tool.type</c>,
/// <c>gen_ai.conversation.id</c> and, when the call fails, <c>error.type</c>), a progress event to the client, and a
/// hard stop once the model has used its rounds of tool calls, so a confused model cannot loop.
/// </summary>
internal sealed class ToolCallFilter(int maxSteps, IToolChatListener sink, string? conversationId = null) : IAutoFunctionInvocationFilter
{
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var name = context.Function.Name;
        if (context.RequestSequenceIndex >= maxSteps)
        {
            context.Result = new FunctionResult(context.Function, $"{{\"error\":\"tool step limit of {maxSteps} reached; answer with what you have\"}}");
            context.Terminate = true;
            await sink.ToolAsync(name, "skipped: step limit reached", context.CancellationToken).ConfigureAwait(false);
            return;
        }

        // The function-invoking chat client already opens an execute_tool span on the service's ActivitySource around this
        // filter: that span is completed here rather than a second one nested under it. Without it, the filter opens its own.
        var current = Activity.Current;
        var framework = current is not null && current.Source.Name == OpsAssistantTelemetry.SourceName
            && current.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal);
        using var own = framework ? null : OpsAssistantTelemetry.ActivitySource.StartActivity($"execute_tool {name}", ActivityKind.Internal);
        var activity = framework ? current : own;
        if (own is not null)
        {
            own.SetTag("gen_ai.operation.name", "execute_tool");
            own.SetTag("gen_ai.tool.name", name);
            own.SetTag("gen_ai.tool.call.id", context.ToolCallId);
        }

        activity?.SetTag(GenAiConventions.ToolType, GenAiConventions.FunctionTool);
        activity?.SetTag(GenAiConventions.ConversationId, conversationId);
        await sink.ToolAsync(name, "running", context.CancellationToken).ConfigureAwait(false);
        try
        {
            await next(context).ConfigureAwait(false);

            // The tools answer a bad ID or a missing trace with {"error": …} rather than throwing: a failed call all the same.
            if (GenAiConventions.IsErrorResult(context.Result?.GetValue<object>() as string))
            {
                activity?.SetStatus(ActivityStatusCode.Error, "tool answered with an error");
                activity?.SetTag(GenAiConventions.ErrorType, GenAiConventions.ToolError);
            }

            await sink.ToolAsync(name, "done", context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            activity?.SetTag(GenAiConventions.ErrorType, ex.GetType().FullName);
            context.Result = new FunctionResult(context.Function, $"{{\"error\":\"tool {name} failed: {ex.GetType().Name}\"}}");
            await sink.ToolAsync(name, "failed", context.CancellationToken).ConfigureAwait(false);
        }
    }
}
