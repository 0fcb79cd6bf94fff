using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Chat;

namespace OpsAssistant.Server.Chat;

/// <summary><c>POST /api/chat</c>: one turn of a persisted conversation, as Server-Sent Events when asked for, else JSON.</summary>
internal static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChatEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/chat", ChatAsync).RequireRateLimiting(RateLimiting.LlmRateLimiting.PolicyName).WithTags("Chat").WithName("Chat")
            .WithSummary("Send a message to the assistant; Accept: text/event-stream streams the reply.");
        return endpoints;
    }

    internal static async Task<IResult> ChatAsync(
        ChatMessage? request, HttpContext context, ChatService chat, IAnalysisStore analyses, TimeProvider clock, IOptions<ChatOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var message = request?.Message?.Trim();
        if (string.IsNullOrEmpty(message))
        {
            errors["message"] = ["'message' is required."];
        }
        else if (message.Length > options.Value.MaxMessageLength)
        {
            errors["message"] = [$"'message' is longer than {options.Value.MaxMessageLength} characters."];
        }

        TraceId? traceId = null;
        if (request?.TraceId is { Length: > 0 } given)
        {
            if (TraceId.TryParse(given, out var parsed))
            {
                traceId = parsed;
            }
            else
            {
                errors["traceId"] = [$"'traceId' must be {TraceId.Format}."];
            }
        }

        if (request?.ConversationId is { } id && (id.Length > 64 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')))
        {
            errors["conversationId"] = ["'conversationId' must be at most 64 letters, digits, '-' or '_'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid chat message");
        }

        var turn = new ChatRequest(request!.ConversationId, message!, traceId);
        var streaming = context.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        if (!streaming)
        {
            using var collector = new SseChatSink(null, analyses, clock);
            var reply = await chat.ReplyAsync(turn, collector, cancellationToken);
            return TypedResults.Ok(new ChatResponse(reply.ConversationId, reply.Reply, reply.Analysis ?? collector.LastAnalysis, reply.Engine, reply.Degraded));
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using var sink = new SseChatSink(context.Response, analyses, clock);
        try
        {
            var reply = await chat.ReplyAsync(turn, sink, cancellationToken);
            await sink.WriteAsync("done", new { conversationId = reply.ConversationId, engine = reply.Engine, degraded = reply.Degraded }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Headers are gone: report the failure in-band, without internals.
            await sink.WriteAsync("error", new { title = "The assistant failed to answer", detail = "See the service logs for trace " + System.Diagnostics.Activity.Current?.TraceId }, cancellationToken);
        }

        return TypedResults.Empty;
    }
}

/// <summary>The JSON reply of <c>POST /api/chat</c> without streaming.</summary>
internal sealed record ChatResponse(string ConversationId, string Reply, AnalysisResult? Analysis, string Engine, string? Degraded);
