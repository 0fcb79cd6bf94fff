using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// For a firing alert that names no trace: the worst trace of the alert's service in the embedded store around the time
/// the alert started (most errored spans, then longest), since metric alerts rarely carry an exemplar's trace ID.
/// </summary>
internal static class AlertTraceFinder
{
    private static readonly string[] ServiceKeys = ["service", "service_name", "service.name", "app"];

    /// <summary>The service the alert is about, from its labels, or null.</summary>
    public static string? Service(WebhookAlert alert)
    {
        foreach (var key in ServiceKeys)
        {
            if (alert.Labels.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }

    public static async Task<string?> FindAsync(ITraceStore store, string service, DateTimeOffset around, TimeSpan window, CancellationToken cancellationToken)
    {
        var candidates = await store.SearchAsync(new TraceQuery
        {
            Service = service,
            From = around - window,
            To = around + window,
            HasError = true,
            Limit = 100,
        }, cancellationToken);
        return candidates
            .OrderByDescending(trace => trace.ErrorCount)
            .ThenByDescending(trace => trace.DurationMs)
            .ThenBy(trace => trace.TraceId, StringComparer.Ordinal)
            .FirstOrDefault()?.TraceId;
    }
}
