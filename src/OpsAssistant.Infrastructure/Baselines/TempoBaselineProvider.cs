using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// The <see cref="IBaselineProvider"/> of <c>Source: Tempo</c>: Tempo computes the figures from the spans it stores, with
/// TraceQL metrics instant queries (<c>GET /api/metrics/query</c>) over the window: <c>quantile_over_time(duration, .5, .9, .99)</c>
/// and <c>count_over_time()</c> of all and of failed spans, each by (service, name, kind), three queries for a whole trace.
/// Instant rather than <c>query_range</c>: Tempo then computes each figure over the whole window in one step, where a range
/// answer's per-step quantiles could not be merged back into the window's.
/// </summary>
public sealed class TempoBaselineProvider(HttpClient httpClient, IOptions<BaselineOptions> options, TimeProvider time, ILogger<TempoBaselineProvider> logger)
    : RemoteBaselineProvider(httpClient, logger, time)
{
    public const string SourceName = "tempo";

    private const string ServiceAttribute = "resource.service.name";

    private const string By = " by (resource.service.name, name, kind)";

    public override string Source => SourceName;

    protected override TimeSpan Window => options.Value.Window;

    /// <summary>The TraceQL metrics queries for the operations: quantiles, all spans, failed spans.</summary>
    public static (string Quantiles, string Calls, string Errors) BuildQueries(IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations)
    {
        ArgumentNullException.ThrowIfNull(services);
        var filter = $"{ServiceAttribute} =~ \"{ExactNamesRegex(services)}\" && name =~ \"{OperationsRegex(operations)}\"";
        return (
            $"{{{filter}}} | quantile_over_time(duration, .5, .9, .99){By}",
            $"{{{filter}}} | count_over_time(){By}",
            $"{{{filter} && status = error}} | count_over_time(){By}");
    }

    protected override async Task<IReadOnlyList<OperationBaseline>> QueryAsync(
        IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations, (DateTimeOffset From, DateTimeOffset To) window, CancellationToken cancellationToken)
    {
        var (from, to) = window;
        var (quantiles, calls, errors) = BuildQueries(services, operations);
        var q = QueryAsync(quantiles, from, to, cancellationToken);
        var c = QueryAsync(calls, from, to, cancellationToken);
        var e = QueryAsync(errors, from, to, cancellationToken);
        await Task.WhenAll(q, c, e).ConfigureAwait(false);

        var counts = (await c.ConfigureAwait(false)).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        var failed = (await e.ConfigureAwait(false)).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        var quantileRows = (await q.ConfigureAwait(false)).Where(s => s.Quantile is not null)
            .GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Quantile!.Value, s => s.Value));

        var baselines = new List<OperationBaseline>();
        foreach (var (key, n) in counts)
        {
            var count = (long)Math.Round(n);
            // All three quantiles or none: standing in p50 for a missing p99 would make every slow call look far above normal.
            if (count <= 0 || !quantileRows.TryGetValue(key, out var qs)
                || !qs.TryGetValue(0.5, out var p50) || !qs.TryGetValue(0.9, out var p90) || !qs.TryGetValue(0.99, out var p99))
            {
                continue;
            }

            baselines.Add(new OperationBaseline
            {
                Service = key.Service,
                Operation = key.Operation,
                Kind = key.Kind,
                // Tempo reports durations in seconds.
                P50Ms = Math.Round(p50 * 1000, 3),
                P90Ms = Math.Round(p90 * 1000, 3),
                P99Ms = Math.Round(p99 * 1000, 3),
                ErrorRate = Math.Round(Math.Clamp(failed.GetValueOrDefault(key) / count, 0, 1), 4),
                Count = count,
                From = from,
                To = to,
            });
        }

        return baselines;
    }

    /// <summary>
    /// One instant query's series. Tempo's query frontend writes its <c>QueryInstantResponse</c> protobuf message with the
    /// gogo <c>jsonpb</c> marshaller at its defaults, and the parsing follows from that: field names in lowerCamelCase,
    /// fields holding their zero value left out (no <c>series</c> when nothing matched, no <c>value</c> when it is 0, no
    /// <c>status</c> when complete), 64-bit integers as JSON strings, enums by name, and doubles that are not finite as the
    /// strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>. Each series' <c>labels</c> are OTLP key/value pairs, one per
    /// <c>by</c> attribute under its TraceQL spelling (<c>resource.service.name</c>, <c>name</c>, <c>kind</c>); the engine writes
    /// names and kinds (<c>server</c>, <c>client</c>, ...) as <c>stringValue</c>, and quantile_over_time gives one series per
    /// quantile with an added label <c>p</c> holding the quantile as a <c>doubleValue</c>. Durations come in seconds. A
    /// <c>PARTIAL</c> status (the series limit was hit) is refused: the series it left out would make operations look new.
    /// </summary>
    private async Task<List<Series>> QueryAsync(string query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var path = $"api/metrics/query?q={Uri.EscapeDataString(query)}&start={from.ToUnixTimeSeconds()}&end={to.ToUnixTimeSeconds()}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var document = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BaselineSourceException("Tempo answered without a metrics result (series).");
        }

        if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() != "COMPLETE")
        {
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            throw new BaselineSourceException($"Tempo answered a {status.GetString()} result: {message ?? "no message"}");
        }

        var result = new List<Series>();
        if (!root.TryGetProperty("series", out var series) || series.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var s in series.EnumerateArray())
        {
            string? service = null, name = null, kind = null;
            double? quantile = null;
            if (s.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array)
            {
                foreach (var label in labels.EnumerateArray())
                {
                    var value = label.TryGetProperty("value", out var v) ? LabelValue(v) : null;
                    switch (label.TryGetProperty("key", out var k) ? k.GetString() : null)
                    {
                        case ServiceAttribute: service = value; break;
                        case "name": name = value; break;
                        case "kind": kind = value; break;
                        case "p" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p): quantile = p; break;
                    }
                }
            }

            var number = s.TryGetProperty("value", out var n) ? Number(n) : 0;
            if (service is not null && name is not null && number is { } x && double.IsFinite(x))
            {
                result.Add(new Series(new OperationKey(service, name, ParseKind(kind)), quantile, x));
            }
        }

        return result;
    }

    private static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>An OTLP AnyValue as text: <c>stringValue</c>, <c>intValue</c> (JSON string or number) or <c>doubleValue</c>.</summary>
    private static string? LabelValue(JsonElement value)
    {
        foreach (var property in value.EnumerateObject())
        {
            return property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => null,
            };
        }

        return null;
    }

    private readonly record struct Series(OperationKey Key, double? Quantile, double Value);
}
