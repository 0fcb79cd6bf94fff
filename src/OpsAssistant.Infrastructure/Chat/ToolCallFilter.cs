using System.Diagnostics;
using Microsoft.SemanticKernel;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// Wraps every tool call the model makes: a GenAI <c>execute_tool</c> span per call, a progress event to the client, and a
/// hard stop once the model has used its rounds of tool calls, so a confused model cannot loop.
/// </summary>
internal sealed class ToolCallFilter(int maxSteps, IChatSink sink) : IAutoFunctionInvocationFilter
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

        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity($"execute_tool {name}", ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", name);
        activity?.SetTag("gen_ai.tool.call.id", context.ToolCallId);
        await sink.ToolAsync(name, "running", context.CancellationToken).ConfigureAwait(false);
        try
        {
            await next(context).ConfigureAwait(false);
            await sink.ToolAsync(name, "done", context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            context.Result = new FunctionResult(context.Function, $"{{\"error\":\"tool {name} failed: {ex.GetType().Name}\"}}");
            await sink.ToolAsync(name, "failed", context.CancellationToken).ConfigureAwait(false);
        }
    }
}
