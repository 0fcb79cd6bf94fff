using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.SemanticKernel;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// The tools the chat model may call. Every output is trace data: redacted, bounded in size, and returned as JSON the model
/// reads as data. Tool calls that name a malformed ID or a missing trace return an error object, never throw.
/// One instance serves one chat turn: a trace found once is reused by the turn's later tool calls (the model typically
/// analyses, lists errors and opens spans of the same trace), so a Jaeger or Tempo source is asked once per turn and every
/// answer in the turn reads the same snapshot of the trace.
/// </summary>
/// <param name="analysis">Fetches from the configured source and analyses with the engine the tools use (the heuristic one).</param>
/// <param name="store">The store searched for recent and comparable traces.</param>
/// <param name="redactor">Redacts every output.</param>
/// <param name="sink">Told of every analysis (it shows and records the chat's).</param>
/// <param name="clock">The "last N minutes" of a search.</param>
public sealed partial class TraceTools(TraceAnalysisService analysis, ITraceStore store, SecretRedactor redactor, IChatSink sink, TimeProvider clock)
{
    private const int MaxItems = 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<TraceId, TraceOutcome> _found = new();

    [KernelFunction("analyze_trace")]
    [Description("Runs the deterministic root-cause analysis on a trace and returns ranked hypotheses citing span IDs.")]
    public async Task<string> AnalyzeTraceAsync([Description("32 or 16 hex character trace ID")] string traceId, CancellationToken cancellationToken = default)
    {
        var (found, error) = await LoadAsync(traceId, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return error!;
        }

        var result = await analysis.AnalyzeAsync(found.Trace!, found.Source, new TraceAnalysisRequest(found.TraceId, AnalysisOrigin.Chat), cancellationToken).ConfigureAwait(false);
        await sink.AnalysisAsync(result, cancellationToken).ConfigureAwait(false);
        return Serialize(new
        {
            result.TraceId,
            summary = redactor.Redact(result.Summary),
            hypotheses = result.Hypotheses.Select(h => new
            {
                h.Rank, h.Title, h.Category, h.Confidence, h.Service, h.Operation, h.SpanIds,
                evidence = h.Evidence.Select(redactor.Redact), h.Remediation,
            }),
        });
    }

    [KernelFunction("show_span")]
    [Description("Shows one span of a trace: service, operation, timing, status, attributes and events.")]
    public async Task<string> ShowSpanAsync(
        [Description("trace ID")] string traceId, [Description("16 hex character span ID")] string spanId, CancellationToken cancellationToken = default)
    {
        var (found, error) = await LoadAsync(traceId, cancellationToken).ConfigureAwait(false);
        if (found?.Trace is not { } trace)
        {
            return error!;
        }

        var span = trace.Spans.FirstOrDefault(s => string.Equals(s.SpanId, spanId?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (span is null)
        {
            return Error($"span {spanId} is not in trace {trace.TraceId}");
        }

        return Serialize(new
        {
            span.SpanId, span.ParentSpanId, service = span.ServiceName, operation = redactor.Redact(span.Name), kind = span.Kind.ToString(),
            durationMs = Math.Round(span.DurationMs, 3), status = span.Status.ToString(), statusMessage = redactor.Redact(span.StatusMessage ?? ""),
            attributes = span.Attributes.Take(40).ToDictionary(a => a.Key, a => redactor.RedactAttribute(a.Key, Truncate(AttributeValues.Format(a.Value)))),
            events = span.Events.Take(10).Select(e => new
            {
                name = redactor.Redact(e.Name),
                attributes = e.Attributes.Take(10).ToDictionary(a => a.Key, a => redactor.RedactAttribute(a.Key, Truncate(AttributeValues.Format(a.Value)))),
            }),
        });
    }

    [KernelFunction("list_errors")]
    [Description("Lists the errored spans of a trace, earliest first, with their status messages and exception events.")]
    public async Task<string> ListErrorsAsync([Description("trace ID")] string traceId, CancellationToken cancellationToken = default)
    {
        var (found, error) = await LoadAsync(traceId, cancellationToken).ConfigureAwait(false);
        if (found?.Trace is not { } trace)
        {
            return error!;
        }

        var errors = trace.Spans.Where(s => s.IsError).OrderBy(s => s.StartUnixNano).ToList();
        return Serialize(new
        {
            total = errors.Count,
            errors = errors.Take(MaxItems).Select(s => new
            {
                s.SpanId, s.ParentSpanId, service = s.ServiceName, operation = redactor.Redact(s.Name), durationMs = Math.Round(s.DurationMs, 3),
                message = redactor.Redact(s.StatusMessage ?? ""),
                exceptions = s.Events.Where(e => e.IsException).Take(3)
                    .Select(e => redactor.Redact(Truncate(AttributeValues.FindString(e.Attributes, "exception.type") + ": " + AttributeValues.FindString(e.Attributes, "exception.message")))),
            }),
        });
    }

    [KernelFunction("compare_with_normal")]
    [Description("Compares a trace with recent error-free traces of the same root operation from the store: durations per operation.")]
    public async Task<string> CompareWithNormalAsync([Description("trace ID")] string traceId, CancellationToken cancellationToken = default)
    {
        var (found, error) = await LoadAsync(traceId, cancellationToken).ConfigureAwait(false);
        if (found?.Trace is not { } trace)
        {
            return error!;
        }

        var root = trace.Spans.Where(s => s.ParentSpanId is null).OrderByDescending(s => s.DurationNano).FirstOrDefault() ?? trace.Spans[0];
        var normals = (await store.SearchAsync(new TraceQuery { Service = root.ServiceName, Operation = root.Name, HasError = false, Limit = 20 }, cancellationToken).ConfigureAwait(false))
            .Where(t => !TraceIds.SameTrace(t.TraceId, trace.TraceId))
            .ToList();
        if (normals.Count == 0)
        {
            return Error($"no error-free traces of {root.ServiceName}/{root.Name} are in the store to compare with");
        }

        var baseline = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var summary in normals.Take(10))
        {
            var normal = await store.GetTraceAsync(summary.TraceId, cancellationToken).ConfigureAwait(false);
            foreach (var group in normal?.Spans.GroupBy(OperationKey) ?? [])
            {
                (baseline.TryGetValue(group.Key, out var list) ? list : baseline[group.Key] = []).Add(group.Sum(s => s.DurationMs));
            }
        }

        var rows = trace.Spans.GroupBy(OperationKey)
            .Select(g =>
            {
                var now = g.Sum(s => s.DurationMs);
                var usual = baseline.TryGetValue(g.Key, out var list) ? Median(list) : (double?)null;
                return new { operation = redactor.Redact(g.Key), calls = g.Count(), thisTraceMs = Math.Round(now, 2), normalMedianMs = usual is null ? (double?)null : Math.Round(usual.Value, 2), deltaMs = Math.Round(now - (usual ?? 0), 2), spanId = g.OrderByDescending(s => s.DurationNano).First().SpanId };
            })
            .OrderByDescending(r => r.deltaMs)
            .Take(MaxItems);
        return Serialize(new
        {
            root = $"{root.ServiceName}/{redactor.Redact(root.Name)}",
            thisTraceMs = Math.Round(root.DurationMs, 2),
            normalTraces = normals.Count,
            normalMedianMs = Math.Round(Median(normals.Select(n => n.DurationMs).ToList()), 2),
            operations = rows,
        });
    }

    [KernelFunction("search_traces")]
    [Description("Searches recent traces in the store by service, operation, errors and time window (most recent first).")]
    public async Task<string> SearchTracesAsync(
        [Description("service name, optional")] string? service = null,
        [Description("operation (span) name, optional")] string? operation = null,
        [Description("true for traces with errors only")] bool errorsOnly = false,
        [Description("only traces that started in the last N minutes (default 60)")] int lastMinutes = 60,
        CancellationToken cancellationToken = default)
    {
        var minutes = Math.Clamp(lastMinutes, 1, 7 * 24 * 60);
        var rows = await store.SearchAsync(new TraceQuery
        {
            Service = string.IsNullOrWhiteSpace(service) ? null : service.Trim(),
            Operation = string.IsNullOrWhiteSpace(operation) ? null : operation.Trim(),
            HasError = errorsOnly ? true : null,
            From = clock.GetUtcNow().AddMinutes(-minutes),
            Limit = MaxItems,
        }, cancellationToken).ConfigureAwait(false);
        return Serialize(new
        {
            count = rows.Count,
            traces = rows.Select(t => new
            {
                t.TraceId, t.RootService, rootOperation = redactor.Redact(t.RootOperation), start = t.Start.ToString("O", CultureInfo.InvariantCulture),
                durationMs = Math.Round(t.DurationMs, 2), t.SpanCount, t.ErrorCount,
            }),
        });
    }

    private static string OperationKey(Span s) => s.ServiceName + "/" + s.Name;

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static string Truncate(string value) => value.Length <= 300 ? value : value[..300] + "…";

    private static string Serialize(object value) => JsonSerializer.Serialize(value, Json);

    private static string Error(string message) => JsonSerializer.Serialize(new { error = message }, Json);

    private async Task<(TraceOutcome? Found, string? Error)> LoadAsync(string traceId, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            return (null, Error("trace IDs are 32 or 16 hex characters"));
        }

        // Only found traces are kept: a trace missing now may arrive before the turn's next call.
        if (_found.TryGetValue(id, out var known))
        {
            return (known, null);
        }

        var outcome = await analysis.FetchAsync(id, null, cancellationToken).ConfigureAwait(false);
        switch (outcome.Kind)
        {
            case TraceOutcomeKind.Found:
                _found.TryAdd(id, outcome);
                return (outcome, null);
            case TraceOutcomeKind.NotFound:
                return (null, Error($"trace {traceId} was not found in the {outcome.Source} source"));
            default:
                throw new TraceSourceException(outcome.Source, outcome.Failure ?? $"The {outcome.Source} source failed.");
        }
    }
}
