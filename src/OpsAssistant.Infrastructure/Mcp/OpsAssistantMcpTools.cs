using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Chat;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Infrastructure.Mcp;

/// <summary>
/// The Model Context Protocol tools, served at <c>/mcp</c> and by <c>opsassistant mcp</c> on stdio. They are the service's
/// own operations: the analysis is the one <c>POST /api/analyses</c> runs (stored, same result JSON), the trace tools are
/// the chat's, the sampling tools the override service's. A bad trace ID, a missing trace or an unreachable source is a
/// tool error (<c>isError</c>) whose text says what went wrong, never an exception.
/// </summary>
[McpServerToolType]
public sealed class OpsAssistantMcpTools
{
    private const int MaxPathItems = 40;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TraceAnalysisService _analysis;
    private readonly SecretRedactor _redactor;
    private readonly SamplingOverrideService _sampling;
    private readonly TimeProvider _clock;
    private readonly TraceTools _traces;

    public OpsAssistantMcpTools(
        TraceAnalysisService analysis, ITraceStore store, [FromKeyedServices(EngineKeys.Heuristic)] IRootCauseEngine heuristic,
        SecretRedactor redactor, SamplingOverrideService sampling, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        _analysis = analysis;
        _redactor = redactor;
        _sampling = sampling;
        _clock = clock;
        _traces = new TraceTools(analysis.WithEngine(heuristic), store, redactor, DiscardingChatSink.Instance, clock);
    }

    [McpServerTool(Name = "analyze_trace", Title = "Analyse a trace", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Runs OpsAssistant's root-cause analysis of a trace (with the configured LLM, if any) and returns the analysis result JSON: summary, ranked hypotheses citing span IDs, evidence and remediation. The analysis is stored like one made over the HTTP API.")]
    public async Task<CallToolResult> AnalyzeTraceAsync(
        [Description("trace ID: 32 (or 16) hexadecimal characters")] string traceId,
        [Description("where to read the trace: store, jaeger, tempo, zipkin or file; omitted: the configured source")] string? source = null,
        CancellationToken cancellationToken = default)
    {
        if (source is not null && !TraceSourceKinds.IsName(source))
        {
            return Failure($"source must be one of {string.Join(", ", TraceSourceKinds.Names)}.");
        }

        if (!TraceId.TryParse(traceId, out var id))
        {
            return Failure(InvalidTraceId);
        }

        var outcome = await _analysis.AnalyzeAsync(new TraceAnalysisRequest(id, AnalysisOrigin.Mcp) { Source = source?.Trim(), Record = true }, cancellationToken)
            .ConfigureAwait(false);
        return outcome.Result is { } result ? Success(JsonSerializer.Serialize(result, ResultJson.Result)) : Failure(Describe(outcome));
    }

    [McpServerTool(Name = "search_traces", Title = "Search traces", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Searches recent traces in OpsAssistant's store by service, operation, errors and time window, most recent first.")]
    public async Task<CallToolResult> SearchTracesAsync(
        [Description("service name, optional")] string? service = null,
        [Description("operation (root span) name, optional")] string? operation = null,
        [Description("true for traces with errors only")] bool errorsOnly = false,
        [Description("only traces that started in the last N minutes (default 60)")] int lastMinutes = 60,
        CancellationToken cancellationToken = default) =>
        FromChatTool(await _traces.SearchTracesAsync(service, operation, errorsOnly, lastMinutes, cancellationToken).ConfigureAwait(false));

    [McpServerTool(Name = "show_span", Title = "Show a span", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Shows one span of a trace: service, operation, timing, status, attributes (secrets redacted) and events.")]
    public async Task<CallToolResult> ShowSpanAsync(
        [Description("trace ID")] string traceId, [Description("16 hexadecimal character span ID")] string spanId, CancellationToken cancellationToken = default) =>
        FromChatTool(await _traces.ShowSpanAsync(traceId, spanId, cancellationToken).ConfigureAwait(false));

    [McpServerTool(Name = "list_errors", Title = "List errors", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the errored spans of a trace, earliest first, with their status messages and exception events.")]
    public async Task<CallToolResult> ListErrorsAsync([Description("trace ID")] string traceId, CancellationToken cancellationToken = default) =>
        FromChatTool(await _traces.ListErrorsAsync(traceId, cancellationToken).ConfigureAwait(false));

    [McpServerTool(Name = "critical_path", Title = "Critical path", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("The critical path of a trace, root first: each span's time on the path, its self time and its share of the trace's duration.")]
    public async Task<CallToolResult> CriticalPathAsync([Description("trace ID")] string traceId, CancellationToken cancellationToken = default)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            return Failure(InvalidTraceId);
        }

        var outcome = await _analysis.FetchAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsFound)
        {
            return Failure(Describe(outcome));
        }

        var trace = outcome.Trace;
        var path = TraceAnalyzer.Analyze(trace).Findings.CriticalPath;
        return Success(JsonSerializer.Serialize(new
        {
            trace.TraceId,
            spans = path.Count,
            path = path.Take(MaxPathItems).Select(item => new
            {
                item.Span.SpanId, service = item.Span.Service, operation = _redactor.Redact(item.Span.Operation),
                durationMs = item.Span.DurationMs, item.OnPathMs, item.SelfMs, item.SharePercent,
            }),
        }, Json));
    }

    [McpServerTool(Name = "compare_with_normal", Title = "Compare with normal traces", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Compares a trace with recent error-free traces of the same root operation in the store: time per operation against their median.")]
    public async Task<CallToolResult> CompareWithNormalAsync([Description("trace ID")] string traceId, CancellationToken cancellationToken = default) =>
        FromChatTool(await _traces.CompareWithNormalAsync(traceId, cancellationToken).ConfigureAwait(false));

    [McpServerTool(Name = "list_sampling_overrides", Title = "List sampling overrides", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Sampling overrides newest first (active, expired and ended), with who made and ended each.")]
    public async Task<CallToolResult> ListSamplingOverridesAsync(
        [Description("true for overrides in force only")] bool activeOnly = false, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        var rows = await _sampling.ListAsync(activeOnly, 200, cancellationToken).ConfigureAwait(false);
        return Success(JsonSerializer.Serialize(rows.Select(o => OverrideView.From(o, now)), Json));
    }

    [McpServerTool(Name = "raise_sampling", Title = "Raise a service's sampling rate", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Samples a service at a higher rate for a while (an incident override SDK samplers pick up), e.g. rate 1 for 30m. Refused past the configured number of fully sampled services.")]
    public async Task<CallToolResult> IncreaseSamplingAsync(
        McpServer server,
        [Description("service name")] string service,
        [Description("probability between 0 and 1 (1 = every trace)")] double rate,
        [Description("how long, e.g. 30m, 2h or 00:30:00; omitted: the configured incident TTL")] string? ttl = null,
        [Description("why, for the audit")] string? reason = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var duration = ttl is null ? _sampling.Options.IncidentTtl : SamplingOverrideService.ParseTtl(ttl);
        if (duration is null)
        {
            return Failure("ttl must be a duration such as 30m, 2h or 00:30:00.");
        }

        var change = await _sampling.SetAsync(new SamplingOverrideRequest(service?.Trim() ?? "", rate, duration.Value, reason, Caller(server)), cancellationToken)
            .ConfigureAwait(false);
        return change.Status == SamplingChangeStatus.Created
            ? Success(JsonSerializer.Serialize(OverrideView.From(change.Override!, _clock.GetUtcNow()), Json))
            : Failure(change.Field is null ? change.Message! : $"{change.Field}: {change.Message}");
    }

    [McpServerTool(Name = "end_sampling_override", Title = "End a sampling override", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Ends a sampling override now; the service returns to its configured rate.")]
    public async Task<CallToolResult> EndSamplingOverrideAsync(
        McpServer server, [Description("override ID, from list_sampling_overrides or raise_sampling")] string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var ended = await _sampling.EndAsync(id ?? "", Caller(server), cancellationToken).ConfigureAwait(false);
        if (ended is not null)
        {
            return Success(JsonSerializer.Serialize(OverrideView.From(ended, _clock.GetUtcNow()), Json));
        }

        var existing = await _sampling.GetAsync(id ?? "", cancellationToken).ConfigureAwait(false);
        return Failure(existing is null
            ? $"No sampling override has the ID '{id}'."
            : $"Override '{id}' is no longer in force ({OverrideView.From(existing, _clock.GetUtcNow()).Status}).");
    }

    /// <summary>"mcp Claude Desktop": the client's own name for the audit, as its initialize request gave it.</summary>
    private static string Caller(McpServer server)
    {
        var name = server.ClientInfo?.Name;
        return string.IsNullOrWhiteSpace(name) ? "mcp client" : "mcp " + (name.Length <= 60 ? name.Trim() : name[..60]);
    }

    private const string InvalidTraceId = "traceId must be 32 or 16 hexadecimal characters.";

    private static string Describe(TraceOutcome outcome) => outcome.Kind == TraceOutcomeKind.NotFound
        ? $"Trace {outcome.TraceId} was not found in the {outcome.Source} source."
        : outcome.Failure ?? $"The {outcome.Source} source failed.";

    /// <summary>The chat tools answer <c>{"error": "…"}</c> for a bad ID or a missing trace; over MCP that is a tool error.</summary>
    private static CallToolResult FromChatTool(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error)
            ? Failure(error.GetString() ?? "failed")
            : Success(json);
    }

    private static CallToolResult Success(string json) => new() { Content = [new TextContentBlock { Text = json }] };

    private static CallToolResult Failure(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    private sealed class DiscardingChatSink : IChatSink
    {
        public static readonly DiscardingChatSink Instance = new();

        public Task DeltaAsync(string text, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ToolAsync(string name, string status, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
