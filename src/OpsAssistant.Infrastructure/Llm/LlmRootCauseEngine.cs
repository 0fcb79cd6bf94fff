using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Telemetry;
using Trace = OpsAssistant.Core.Model.Trace;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The LLM engine: heuristic analysis first (always), then the model asked with the condensed prompt, its answer grounded
/// and merged with the heuristic evidence. Any failure — no LLM, timeout, 429 after retries, open circuit, invalid or
/// ungrounded output — returns the heuristic result with <c>degraded</c> saying why. Never throws for an LLM problem.
/// </summary>
public sealed partial class LlmRootCauseEngine(
    IRootCauseEngine heuristic,
    IRcaPromptBuilder prompts,
    IRcaLlmClient? client,
    IMemoryCache cache,
    IOptions<LlmOptions> options,
    ILogger<LlmRootCauseEngine> logger) : IRootCauseEngine
{
    public const string NotConfigured = "no LLM configured (OpsAssistant:Llm:Provider is None)";

    public async Task<AnalysisResult> AnalyzeAsync(Trace trace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var watch = Stopwatch.StartNew();
        using var activity = OpsAssistantTelemetry.ActivitySource.StartActivity("analyze");
        activity?.SetTag("opsassistant.trace_id", trace.TraceId);
        activity?.SetTag("opsassistant.span_count", trace.Spans.Count);

        var baseline = await heuristic.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false);
        var prompt = await prompts.BuildAsync(trace, baseline, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("opsassistant.prompt_tokens", prompt.Tokens);
        var settings = options.Value;
        if (!settings.IsEnabled || client is null)
        {
            return Finish(baseline with { Degraded = NotConfigured, PromptTokens = prompt.Tokens }, watch, activity);
        }

        var cacheKey = CacheKey(client.Model, prompt.Rendered);
        if (settings.CacheTtl > TimeSpan.Zero && cache.TryGetValue(cacheKey, out AnalysisResult? cached) && cached is not null)
        {
            activity?.SetTag("opsassistant.cache_hit", true);
            return Finish(cached with { AnalysisId = Guid.NewGuid().ToString("n") }, watch, activity);
        }

        LlmReply reply;
        try
        {
            reply = await client.CompleteAsync(prompt.Variables, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            var failure = LlmFailureClassifier.Classify(ex);
            LogLlmFailed(logger, trace.TraceId, failure.Kind, ex.GetType().Name);
            return Finish(baseline with { Degraded = failure.Reason, PromptTokens = prompt.Tokens }, watch, activity);
        }

        var usage = new TokenUsage(reply.InputTokens, reply.OutputTokens);
        var model = reply.ResponseModel ?? client.Model;
        if (!LlmAnswerParser.TryParse(reply.Content, out var answer, out var error))
        {
            LogLlmFailed(logger, trace.TraceId, LlmFailure.InvalidOutput, error);
            return Finish(baseline with { Degraded = "LLM returned invalid output: " + error, PromptTokens = prompt.Tokens, Usage = usage, Model = model }, watch, activity);
        }

        var grounded = AnswerGrounder.Ground(answer, trace, baseline);
        activity?.SetTag("opsassistant.llm.hypotheses_dropped", grounded.Dropped);
        if (grounded.Hypotheses.Count == 0)
        {
            var reason = answer.Hypotheses.Count == 0
                ? "LLM returned no hypotheses"
                : $"LLM answer was not grounded: its {answer.Hypotheses.Count} hypotheses cited no span of the trace";
            LogLlmFailed(logger, trace.TraceId, LlmFailure.Ungrounded, reason);
            return Finish(baseline with { Degraded = reason, PromptTokens = prompt.Tokens, Usage = usage, Model = model }, watch, activity);
        }

        var result = baseline with
        {
            Engine = Engines.Llm,
            Model = model,
            Degraded = null,
            Summary = string.IsNullOrWhiteSpace(answer.Summary) ? baseline.Summary : answer.Summary.Trim(),
            Hypotheses = grounded.Hypotheses,
            Usage = usage,
            PromptTokens = prompt.Tokens,
        };
        if (settings.CacheTtl > TimeSpan.Zero)
        {
            cache.Set(cacheKey, result, settings.CacheTtl);
        }

        return Finish(result, watch, activity);
    }

    private static string CacheKey(string model, string rendered) =>
        "rca:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + rendered)));

    private static AnalysisResult Finish(AnalysisResult result, Stopwatch watch, Activity? activity)
    {
        var final = result with { ElapsedMs = Math.Round(watch.Elapsed.TotalMilliseconds, 2) };
        activity?.SetTag("opsassistant.engine", final.Engine);
        if (final.Degraded is not null)
        {
            activity?.SetTag("opsassistant.degraded", final.Degraded);
        }

        OpsAssistantTelemetry.Analyses.Add(1,
            new KeyValuePair<string, object?>("opsassistant.engine", final.Engine),
            new KeyValuePair<string, object?>("opsassistant.degraded", final.Degraded is not null));
        return final;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM answer not used for trace {TraceId}: {Failure} ({Detail}); serving the heuristic result")]
    private static partial void LogLlmFailed(ILogger logger, string traceId, LlmFailure failure, string detail);
}
