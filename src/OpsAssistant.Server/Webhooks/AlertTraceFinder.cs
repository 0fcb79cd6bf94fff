using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// For a firing alert that names no trace: the worst trace of the alert's service (and operation, when a label names one)
/// in the embedded store around the time the alert started, since metric alerts rarely carry an exemplar's trace ID.
/// "Worst" follows the alert: the slowest trace for a latency alert, otherwise the most errored (then the slowest), falling
/// back to the other kind, then to the service without the operation, before giving up.
/// </summary>
internal static class AlertTraceFinder
{
    private static readonly string[] ServiceKeys = ["service", "service_name", "service.name", "app", "job"];
    private static readonly string[] OperationKeys = ["operation", "span_name", "http_route", "route", "endpoint"];
    private static readonly string[] LatencyWords = ["latency", "slow", "duration", "p99", "p95", "p90", "response_time", "responsetime"];

    /// <summary>The service the alert is about, from its labels, or null.</summary>
    public static string? Service(WebhookAlert alert) => FirstLabel(alert, ServiceKeys);

    /// <summary>The operation the alert is about, from its labels, or null.</summary>
    public static string? Operation(WebhookAlert alert) => FirstLabel(alert, OperationKeys);

    /// <summary>True when the alert is about time rather than failures (its name or labels say latency, slow, p99…).</summary>
    public static bool IsLatencyAlert(WebhookAlert alert) =>
        LatencyWords.Any(word => alert.Name.Contains(word, StringComparison.OrdinalIgnoreCase)
            || alert.Labels.Any(label => label.Key.Contains(word, StringComparison.OrdinalIgnoreCase) || label.Value.Contains(word, StringComparison.OrdinalIgnoreCase)));

    public static async Task<string?> FindAsync(ITraceStore store, WebhookAlert alert, string service, DateTimeOffset around, TimeSpan window, CancellationToken cancellationToken)
    {
        var operation = Operation(alert);
        bool?[] kinds = IsLatencyAlert(alert) ? [null, true] : [true, null];
        foreach (var scope in operation is null ? new string?[] { null } : [operation, null])
        {
            foreach (var hasError in kinds)
            {
                var candidates = await store.SearchAsync(new TraceQuery
                {
                    Service = service,
                    Operation = scope,
                    From = around - window,
                    To = around + window,
                    HasError = hasError,
                    Limit = 100,
                }, cancellationToken);
                var ordered = hasError is true
                    ? candidates.OrderByDescending(trace => trace.ErrorCount).ThenByDescending(trace => trace.DurationMs)
                    : candidates.OrderByDescending(trace => trace.DurationMs).ThenByDescending(trace => trace.ErrorCount);
                if (ordered.ThenBy(trace => trace.TraceId, StringComparer.Ordinal).FirstOrDefault() is { } worst)
                {
                    return worst.TraceId;
                }
            }
        }

        return null;
    }

    private static string? FirstLabel(WebhookAlert alert, string[] keys)
    {
        foreach (var key in keys)
        {
            if (alert.Labels.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }
}
