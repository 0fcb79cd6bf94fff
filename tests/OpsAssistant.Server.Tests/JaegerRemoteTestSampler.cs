using System.Net.Http.Json;
using System.Text.Json;
using OpenTelemetry.Trace;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// A Jaeger remote sampler for the OpenTelemetry .NET SDK, written for the tests because OpenTelemetry.Sampler.JaegerRemote
/// is not available here. It does what that package and the Jaeger clients do: fetch <c>GET {endpoint}?service=</c>, read
/// the <c>SamplingStrategyResponse</c> JSON (<c>strategyType</c> as the enum's name or number; <c>operationSampling</c>
/// wins over <c>probabilisticSampling</c> when present, as in the Jaeger clients' per-operation sampler), and decide each
/// root span by trace-ID ratio, per operation (span name) when the operation is listed. It polls on its own when given an
/// interval; tests call <see cref="RefreshAsync"/> instead, so a change is seen at a known moment rather than after a sleep.
/// Rate limiting and the lower bound are not implemented: the service under test serves neither.
/// </summary>
public sealed class JaegerRemoteTestSampler : Sampler, IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _strategyUri;
    private readonly CancellationTokenSource _stop = new();
    private volatile Strategy _current;

    public JaegerRemoteTestSampler(HttpClient http, Uri endpoint, string serviceName, double initialRate, TimeSpan? pollInterval = null)
    {
        _http = http;
        _strategyUri = new Uri(endpoint, "?service=" + Uri.EscapeDataString(serviceName));
        _current = new Strategy(new TraceIdRatioBasedSampler(initialRate), new Dictionary<string, Sampler>(StringComparer.Ordinal), initialRate);
        Description = $"JaegerRemoteTestSampler{{{serviceName}}}";
        if (pollInterval is { } interval)
        {
            _ = PollAsync(interval);
        }
    }

    /// <summary>The probability applied to operations without their own strategy.</summary>
    public double DefaultRate => _current.DefaultRate;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var strategy = _current;
        var sampler = strategy.PerOperation.TryGetValue(samplingParameters.Name, out var perOperation) ? perOperation : strategy.Default;
        return sampler.ShouldSample(samplingParameters);
    }

    /// <summary>Fetches and applies the current strategy; a failed fetch keeps the previous one, as the real samplers do.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var response = await _http.GetFromJsonAsync<JsonElement>(_strategyUri, cancellationToken);
        _current = Parse(response);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    internal static Strategy Parse(JsonElement response)
    {
        var type = response.TryGetProperty("strategyType", out var t)
            ? t.ValueKind == JsonValueKind.Number ? (t.GetInt32() == 0 ? "PROBABILISTIC" : "RATE_LIMITING") : t.GetString()
            : "PROBABILISTIC";
        if (response.TryGetProperty("operationSampling", out var operations) && operations.ValueKind == JsonValueKind.Object)
        {
            var defaultRate = operations.GetProperty("defaultSamplingProbability").GetDouble();
            var perOperation = new Dictionary<string, Sampler>(StringComparer.Ordinal);
            if (operations.TryGetProperty("perOperationStrategies", out var list))
            {
                foreach (var item in list.EnumerateArray())
                {
                    perOperation[item.GetProperty("operation").GetString()!] =
                        new TraceIdRatioBasedSampler(item.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());
                }
            }

            return new Strategy(new TraceIdRatioBasedSampler(defaultRate), perOperation, defaultRate);
        }

        if (type != "PROBABILISTIC")
        {
            throw new NotSupportedException($"Strategy type {type} is not implemented by the test sampler.");
        }

        var rate = response.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble();
        return new Strategy(new TraceIdRatioBasedSampler(rate), new Dictionary<string, Sampler>(StringComparer.Ordinal), rate);
    }

    private async Task PollAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        var token = _stop.Token;
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    await RefreshAsync(token);
                }
                catch (HttpRequestException)
                {
                    // Keep the last strategy until the service answers again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    internal sealed record Strategy(Sampler Default, IReadOnlyDictionary<string, Sampler> PerOperation, double DefaultRate);
}
