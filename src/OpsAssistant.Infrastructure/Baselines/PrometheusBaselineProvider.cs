using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// The <see cref="IBaselineProvider"/> of <c>Source: Prometheus</c>: span metrics histograms read through Prometheus'
/// <c>/api/v1/query</c>. One instant query per trace answers every operation in it: the quantiles
/// (<c>histogram_quantile</c> over the window's bucket increases), the call count (the histogram's <c>_count</c>) and the
/// failed calls (the calls counter with the error status), each tagged by <c>label_replace</c> and joined with <c>or</c>;
/// services and operations are selected by escaped, anchored regular expressions.
/// </summary>
public sealed class PrometheusBaselineProvider(HttpClient httpClient, IOptions<BaselineOptions> options, TimeProvider time, ILogger<PrometheusBaselineProvider> logger)
    : RemoteBaselineProvider(httpClient, logger, time)
{
    public const string SourceName = "prometheus";

    /// <summary>The label each sub-query's answer carries to tell them apart.</summary>
    private const string StatLabel = "opsassistant_stat";

    public override string Source => SourceName;

    protected override TimeSpan Window => options.Value.Window;

    /// <summary>The PromQL expression for the operations at one evaluation: public so its shape is visible to tests and docs.</summary>
    public static string BuildQuery(PrometheusBaselineOptions prometheus, TimeSpan window, IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        ArgumentNullException.ThrowIfNull(services);
        var service = prometheus.EffectiveServiceLabel;
        var operation = prometheus.EffectiveOperationLabel;
        var kind = prometheus.EffectiveKindLabel;
        var selector = $"{service}=~\"{ExactNamesRegex(services)}\",{operation}=~\"{OperationsRegex(operations)}\"";
        var range = $"[{(long)Math.Max(60, window.TotalSeconds)}s]";
        var by = $"{service},{operation},{kind}";
        var duration = prometheus.EffectiveDurationMetric;
        var errorSelector = $"{selector},{prometheus.EffectiveStatusLabel}=\"{StringLiteralBody(prometheus.ErrorStatus)}\"";

        var parts = new List<string>();
        foreach (var (q, stat) in new[] { ("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99") })
        {
            parts.Add(Tag($"histogram_quantile({q},sum by (le,{by}) (increase({duration}_bucket{{{selector}}}{range})))", stat));
        }

        parts.Add(Tag($"sum by ({by}) (increase({duration}_count{{{selector}}}{range}))", "count"));
        parts.Add(Tag($"sum by ({by}) (increase({prometheus.EffectiveCallsMetric}{{{selector}}}{range}))", "calls"));
        parts.Add(Tag($"sum by ({by}) (increase({prometheus.EffectiveCallsMetric}{{{errorSelector}}}{range}))", "errors"));
        return string.Join(" or ", parts);

        static string Tag(string expression, string stat) => $"label_replace({expression},\"{StatLabel}\",\"{stat}\",\"\",\"\")";
    }

    protected override async Task<IReadOnlyList<OperationBaseline>> QueryAsync(
        IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations, (DateTimeOffset From, DateTimeOffset To) window, CancellationToken cancellationToken)
    {
        var (from, to) = window;
        var prometheus = options.Value.Prometheus;
        // Evaluated at the window's end: the range selectors reach back the window's length from there.
        var query = BuildQuery(prometheus, to - from, services, operations);

        // POST: a trace's operations can make the expression longer than a URL may be.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/query")
        {
            Content = new FormUrlEncodedContent(
            [
                new("query", query),
                new("time", (to.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)),
            ]),
        };
        using var document = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Read(document.RootElement, prometheus, from, to);
    }

    private static List<OperationBaseline> Read(JsonElement root, PrometheusBaselineOptions prometheus, DateTimeOffset from, DateTimeOffset to)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.GetString() != "success"
            || !root.TryGetProperty("data", out var data) || !data.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
        {
            throw new BaselineSourceException("Prometheus answered without a query result (status 'success', data.result).");
        }

        var rows = new Dictionary<OperationKey, Dictionary<string, double>>();
        foreach (var series in result.EnumerateArray())
        {
            var metric = series.GetProperty("metric");
            var service = Label(metric, prometheus.EffectiveServiceLabel);
            var operation = Label(metric, prometheus.EffectiveOperationLabel);
            var stat = Label(metric, StatLabel);
            if (service is null || operation is null || stat is null)
            {
                continue;
            }

            var key = new OperationKey(service, operation, ParseKind(Label(metric, prometheus.EffectiveKindLabel)));
            var text = series.GetProperty("value")[1].GetString();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                if (!rows.TryGetValue(key, out var stats))
                {
                    rows[key] = stats = new Dictionary<string, double>(StringComparer.Ordinal);
                }

                stats[stat] = value;
            }
        }

        var scale = prometheus.MillisecondsPerUnit;
        var baselines = new List<OperationBaseline>(rows.Count);
        foreach (var (key, stats) in rows)
        {
            // increase() extrapolates to the window's edges, so counts come back fractional: round to whole calls.
            var count = (long)Math.Round(stats.GetValueOrDefault("count", stats.GetValueOrDefault("calls")));
            if (count <= 0 || !stats.ContainsKey("p50"))
            {
                continue;
            }

            var calls = stats.GetValueOrDefault("calls", count);
            var errors = stats.GetValueOrDefault("errors");
            baselines.Add(new OperationBaseline
            {
                Service = key.Service,
                Operation = key.Operation,
                Kind = key.Kind,
                P50Ms = Math.Round(stats["p50"] * scale, 3),
                P90Ms = Math.Round(stats.GetValueOrDefault("p90", stats["p50"]) * scale, 3),
                P99Ms = Math.Round(stats.GetValueOrDefault("p99", stats["p50"]) * scale, 3),
                ErrorRate = calls <= 0 ? 0 : Math.Round(Math.Clamp(errors / calls, 0, 1), 4),
                Count = count,
                From = from,
                To = to,
            });
        }

        return baselines;
    }

    private static string? Label(JsonElement metric, string name) =>
        metric.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
