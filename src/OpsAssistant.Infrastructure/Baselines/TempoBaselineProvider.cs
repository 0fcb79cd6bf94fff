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
/// </summary>
public sealed class TempoBaselineProvider(HttpClient httpClient, IOptions<BaselineOptions> options, TimeProvider time, ILogger<TempoBaselineProvider> logger)
    : RemoteBaselineProvider(httpClient, logger, time)
{
    public const string SourceName = "tempo";

    private const string ServiceAttribute = "resource.service.name";

    private const string By = " by (resource.service.name, name, kind)";

    public override string Source => SourceName;

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

    protected override async Task<IReadOnlyList<OperationBaseline>> QueryAsync(IReadOnlyCollection<string> services, IReadOnlyCollection<string>? operations, CancellationToken cancellationToken)
    {
        var window = options.Value.Window;
        var to = Time.GetUtcNow();
        var from = to - window;
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
            if (count <= 0 || !quantileRows.TryGetValue(key, out var qs) || !qs.TryGetValue(0.5, out var p50))
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
                P90Ms = Math.Round(qs.GetValueOrDefault(0.9, p50) * 1000, 3),
                P99Ms = Math.Round(qs.GetValueOrDefault(0.99, p50) * 1000, 3),
                ErrorRate = Math.Round(Math.Clamp(failed.GetValueOrDefault(key) / count, 0, 1), 4),
                Count = count,
                From = from,
                To = to,
            });
        }

        return baselines;
    }

    private async Task<List<Series>> QueryAsync(string query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var path = $"api/metrics/query?q={Uri.EscapeDataString(query)}&start={from.ToUnixTimeSeconds()}&end={to.ToUnixTimeSeconds()}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var document = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new BaselineSourceException("Tempo answered without a metrics result (series).");
        }

        var result = new List<Series>();
        if (!document.RootElement.TryGetProperty("series", out var series) || series.ValueKind != JsonValueKind.Array)
        {
            return result; // Tempo leaves out "series" when nothing matched.
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

            var number = Value(s);
            if (service is not null && name is not null && number is { } n && double.IsFinite(n))
            {
                result.Add(new Series(new OperationKey(service, name, ParseKind(kind)), quantile, n));
            }
        }

        return result;
    }

    /// <summary>An instant query's <c>value</c>; a range answer's samples summed (counts) or the last (quantiles) is not asked for here.</summary>
    private static double? Value(JsonElement series)
    {
        if (series.TryGetProperty("value", out var value))
        {
            return Number(value);
        }

        if (series.TryGetProperty("samples", out var samples) && samples.ValueKind == JsonValueKind.Array && samples.GetArrayLength() > 0)
        {
            return samples.EnumerateArray().Select(x => x.TryGetProperty("value", out var v) ? Number(v) : null).LastOrDefault(x => x is not null);
        }

        return null;
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
