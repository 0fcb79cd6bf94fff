using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Conversations;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Llm;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// One chat turn. A trace ID (given or found in the message) gets the full root-cause analysis. Other messages go to the
/// model with the trace tools when an LLM is configured; without one the assistant still answers honestly: it analyses
/// traces, lists recent problem traces from the store, and says what it cannot do.
/// </summary>
public sealed partial class ChatService(
    IConversationStore conversations,
    TraceAnalysisService analysis,
    ITraceStore store,
    [FromKeyedServices(EngineKeys.Heuristic)] IRootCauseEngine heuristic,
    SecretRedactor redactor,
    IOptions<LlmOptions> llmOptions,
    IOptions<ChatOptions> chatOptions,
    IServiceProvider services,
    TimeProvider clock,
    ILogger<ChatService> logger)
{
    public async Task<ChatReply> ReplyAsync(ChatRequest request, IChatSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity("chat turn");
        var conversationId = string.IsNullOrWhiteSpace(request.ConversationId) ? Guid.NewGuid().ToString("n") : request.ConversationId.Trim();
        activity?.SetTag("opsassistant.conversation_id", conversationId);
        activity?.SetTag(GenAiConventions.ConversationId, conversationId);
        var conversation = await conversations.GetAsync(conversationId, cancellationToken).ConfigureAwait(false);
        var traceId = request.TraceId ?? (TraceId.TryParse(FindTraceId(request.Message), out var found) ? found : null);
        var userTurn = new ChatTurn(ChatTurn.User, request.Message, clock.GetUtcNow(), TraceId: traceId?.Value);

        // Everything the turn writes passes the redactor: the model may echo a secret from the user's text or a tool's output.
        var output = new RedactingChatSink(sink, redactor);
        sink = output;
        ChatReply reply;
        if (traceId is { } id)
        {
            reply = await AnalyzeAsync(conversationId, id, sink, cancellationToken).ConfigureAwait(false);
        }
        else if (llmOptions.Value.IsEnabled)
        {
            reply = await ConverseAsync(conversationId, conversation, request.Message, sink, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            reply = await AnswerWithoutLlmAsync(conversationId, request.Message, sink, cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        reply = reply with { Reply = redactor.Redact(reply.Reply), Analysis = reply.Analysis is null ? null : redactor.Redact(reply.Analysis) };
        await conversations.AppendAsync(conversationId,
        [
            userTurn,
            new ChatTurn(ChatTurn.Assistant, reply.Reply, clock.GetUtcNow(), reply.Analysis?.AnalysisId, reply.Analysis?.TraceId ?? userTurn.TraceId),
        ], cancellationToken).ConfigureAwait(false);
        activity?.SetTag("opsassistant.engine", reply.Engine);
        return reply;
    }

    /// <summary>Finds a trace ID pasted into free text: 32 hex characters, or 16 standing alone.</summary>
    public static string? FindTraceId(string message)
    {
        var match = TraceIdInText().Match(message);
        return match.Success ? match.Value.ToLowerInvariant() : null;
    }

    private async Task<ChatReply> AnalyzeAsync(string conversationId, TraceId traceId, IChatSink sink, CancellationToken cancellationToken)
    {
        // The sink records the analysis as it shows it (after redaction), so the request does not.
        var outcome = await analysis.AnalyzeAsync(new TraceAnalysisRequest(traceId, AnalysisOrigin.Chat), cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == TraceOutcomeKind.SourceFailed)
        {
            throw new TraceSourceException(outcome.Source, outcome.Failure ?? $"The {outcome.Source} source failed.");
        }

        if (outcome.Result is not { } result)
        {
            var missing = $"I could not find trace {traceId} in the {outcome.Source} trace source. Check the ID, or wait a few seconds if it was just sent: spans arrive in batches.";
            await sink.DeltaAsync(missing, cancellationToken).ConfigureAwait(false);
            return new ChatReply(conversationId, missing, null, Engines.Heuristic, null);
        }

        await sink.AnalysisAsync(result, cancellationToken).ConfigureAwait(false);
        var text = Describe(result);
        await sink.DeltaAsync(text, cancellationToken).ConfigureAwait(false);
        return new ChatReply(conversationId, text, result, result.Engine, result.Degraded);
    }

    /// <summary>The analysis summary already names the most likely cause; an empty one falls back to the top hypothesis.</summary>
    private static string Describe(AnalysisResult result) =>
        !string.IsNullOrWhiteSpace(result.Summary) || result.Hypotheses.Count == 0
            ? result.Summary
            : $"Most likely: {result.Hypotheses[0].Title} ({result.Hypotheses[0].Service}/{result.Hypotheses[0].Operation}, confidence {result.Hypotheses[0].Confidence:0.00}).";

    private async Task<ChatReply> AnswerWithoutLlmAsync(string conversationId, string message, IChatSink sink, CancellationToken cancellationToken)
    {
        // Sampling commands ("sample checkout fully for 30 minutes") are understood without a model.
        if (SamplingIntentParser.Parse(message) is { } intent && services.GetService<SamplingOverrideService>() is { } sampling)
        {
            var done = await new SamplingChat(sampling, conversationId).ApplyAsync(intent, null, cancellationToken).ConfigureAwait(false);
            await sink.DeltaAsync(done, cancellationToken).ConfigureAwait(false);
            return new ChatReply(conversationId, done, null, Engines.Heuristic, LlmRootCauseEngine.NotConfigured);
        }

        var wantsErrors = ProblemWords().IsMatch(message);
        var recent = await store.SearchAsync(new TraceQuery { HasError = wantsErrors ? true : null, Limit = 5 }, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder("No LLM is configured, so I cannot hold a conversation, but I can analyse any trace deterministically: paste a trace ID (32 or 16 hex characters).");
        if (recent.Count > 0)
        {
            sb.Append(wantsErrors ? " Recent traces with errors:" : " Recent traces:");
            foreach (var t in recent)
            {
                sb.Append($"\n- {t.TraceId} {t.RootService}/{redactor.Redact(t.RootOperation)} {t.DurationMs:0.#} ms, {t.SpanCount} spans, {t.ErrorCount} errors");
            }
        }

        var text = sb.ToString();
        await sink.DeltaAsync(text, cancellationToken).ConfigureAwait(false);
        return new ChatReply(conversationId, text, null, Engines.Heuristic, LlmRootCauseEngine.NotConfigured);
    }

    private async Task<ChatReply> ConverseAsync(string conversationId, Conversation? conversation, string message, IChatSink sink, CancellationToken cancellationToken)
    {
        var options = chatOptions.Value;
        var collecting = new CollectingSink(sink);
        List<ChatTool> tools = [.. ChatTool.FromObject("traces", new TraceTools(analysis.WithEngine(heuristic), store, redactor, collecting, clock) 
        {
            Incidents = services.GetService<Incidents.IncidentService>(),
            Baselines = services.GetService<OpsAssistant.Infrastructure.Baselines.BaselineCatalog>(),
        })];
        if (services.GetService<SamplingOverrideService>() is { } sampling)
        {
            tools.AddRange(ChatTool.FromObject("sampling", new SamplingTools(new SamplingChat(sampling, conversationId))));
        }

        var system = await PromptFile.RenderAsync("chat.yaml", new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["current_trace_id"] = conversation?.CurrentTraceId ?? "none",
            ["source"] = analysis.DefaultSourceName,
            ["max_steps"] = options.MaxToolSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken).ConfigureAwait(false);
        var history = (conversation?.Turns ?? []).TakeLast(options.HistoryTurns)
            .Select(turn => new ToolChatMessage(turn.Role == ChatTurn.User ? ToolChatRole.User : ToolChatRole.Assistant, turn.Content))
            .ToList();
        var turnRequest = new ToolChatRequest(conversationId, system, history, message, tools, options.MaxToolSteps);
        var text = new StringBuilder();
        try
        {
            await foreach (var chunk in services.GetRequiredService<IToolCallingChat>().StreamAsync(turnRequest, collecting, cancellationToken).ConfigureAwait(false))
            {
                text.Append(chunk);
                await sink.DeltaAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            var failure = LlmFailureClassifier.Classify(ex);
            LogChatFailed(logger, conversationId, failure.Kind);
            var fallback = await AnswerWithoutLlmAsync(conversationId, message, NullSink.Instance, cancellationToken).ConfigureAwait(false);
            var note = $"The LLM is not answering right now ({failure.Reason}). " + fallback.Reply.Replace("No LLM is configured, so I cannot hold a conversation, but I", "I", StringComparison.Ordinal);
            await sink.DeltaAsync((text.Length > 0 ? "\n\n" : "") + note, cancellationToken).ConfigureAwait(false);
            return new ChatReply(conversationId, text + note, collecting.LastAnalysis, Engines.Heuristic, failure.Reason);
        }

        return new ChatReply(conversationId, text.ToString(), collecting.LastAnalysis, Engines.Llm, null);
    }

    [GeneratedRegex(@"(?<![0-9a-fA-F])(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{16})(?![0-9a-fA-F])", RegexOptions.CultureInvariant)]
    private static partial Regex TraceIdInText();

    [GeneratedRegex(@"(?i)\b(error|errors|fail|failing|failed|broken|5\d\d|exception|down)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ProblemWords();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat LLM call failed for conversation {ConversationId}: {Failure}; answered without the LLM")]
    private static partial void LogChatFailed(ILogger logger, string conversationId, LlmFailure failure);

    /// <summary>Passes events through and remembers the last analysis a tool produced, for the reply record.</summary>
    private sealed class CollectingSink(IChatSink inner) : IChatSink
    {
        public AnalysisResult? LastAnalysis { get; private set; }

        public Task DeltaAsync(string text, CancellationToken cancellationToken) => inner.DeltaAsync(text, cancellationToken);

        public Task ToolAsync(string name, string status, CancellationToken cancellationToken) => inner.ToolAsync(name, status, cancellationToken);

        public Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken)
        {
            LastAnalysis = result;
            return inner.AnalysisAsync(result, cancellationToken);
        }
    }

    private sealed class NullSink : IChatSink
    {
        public static readonly NullSink Instance = new();

        public Task DeltaAsync(string text, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ToolAsync(string name, string status, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
