using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// The history a baseline family's trace is judged against, written as the case's <c>baseline.json</c>: every operation of
/// the trace gets a normal spread around its duration here, except those the family marks. A regressed span's operation
/// gets the spread of its normal duration; a new operation gets none; a flaky one a high error rate. Ancestors of a marked
/// span are given the spread of their duration without the marked span's extra time, as their history would show.
/// </summary>
internal sealed class BaselinePlan
{
    private readonly Dictionary<GenSpan, double> _regressed = [];
    private readonly HashSet<GenSpan> _new = [];
    private readonly Dictionary<GenSpan, double> _errorRates = [];

    /// <summary>Write the durations of prior calls (<c>durationsMs</c>) instead of quantiles, so the case exercises the sketch.</summary>
    public bool Samples { get; set; }

    /// <summary>The span's operation normally takes about <paramref name="normalMs"/>; this call did not.</summary>
    public void Regressed(GenSpan span, double normalMs) => _regressed[span] = normalMs;

    /// <summary>The span's operation was never seen before this trace.</summary>
    public void New(GenSpan span) => _new.Add(span);

    /// <summary>The span's operation fails this share of its calls normally.</summary>
    public void Flaky(GenSpan span, double errorRate) => _errorRates[span] = errorRate;

    public byte[] Write(GenTrace trace, long epochUs, Random random)
    {
        // Extra time of each marked span, charged to every ancestor.
        var extra = new Dictionary<GenSpan, double>();
        foreach (var span in trace.Spans)
        {
            var own = _new.Contains(span) ? span.DurationUs / 1000.0
                : _regressed.TryGetValue(span, out var normal) ? span.DurationUs / 1000.0 - normal : 0;
            for (var a = span.Parent; own > 0 && a is not null; a = a.Parent)
            {
                extra[a] = extra.GetValueOrDefault(a) + own;
            }
        }

        var ops = new List<(GenSpan First, double Ms, double? ErrorRate, bool Regressed)>();
        var index = new Dictionary<(string, string, GenSpanKind), int>();
        var newOps = _new.Select(s => (s.Service, s.Name, s.Kind)).ToHashSet();
        foreach (var span in trace.Spans)
        {
            var key = (span.Service, span.Name, span.Kind);
            if (newOps.Contains(key))
            {
                continue;
            }

            var regressed = _regressed.TryGetValue(span, out var normal);
            var ms = regressed ? normal : Math.Max(0.05, span.DurationUs / 1000.0 - extra.GetValueOrDefault(span));
            double? rate = _errorRates.TryGetValue(span, out var r) ? r : null;
            if (index.TryGetValue(key, out var at))
            {
                var known = ops[at];
                ops[at] = (known.First, known.Regressed ? known.Ms : regressed ? ms : Math.Max(known.Ms, ms), known.ErrorRate ?? rate, known.Regressed || regressed);
            }
            else
            {
                index[key] = ops.Count;
                ops.Add((span, ms, rate, regressed));
            }
        }

        var toUs = epochUs - 60_000_000;
        return Json.Write(true, w =>
        {
            w.WriteStartObject();
            w.WriteString("from", Time(toUs - 86_400_000_000));
            w.WriteString("to", Time(toUs));
            w.WriteStartArray("operations");
            foreach (var (span, ms, rate, _) in ops)
            {
                // The trace's call sits between the median and the p90 of its operation's history.
                var p50 = ms * (0.7 + 0.25 * random.NextDouble());
                var p90 = ms * (1.2 + 0.4 * random.NextDouble());
                var p99 = p90 * (1.3 + 0.5 * random.NextDouble());
                var count = 400 + random.Next(20_000);
                var errorRate = rate ?? Math.Round(random.NextDouble() * 0.004, 4);
                w.WriteStartObject();
                w.WriteString("service", span.Service);
                w.WriteString("operation", span.Name);
                w.WriteString("kind", span.Kind.ToString().ToLowerInvariant());
                if (Samples)
                {
                    var n = 200 + random.Next(200);
                    w.WriteStartArray("durationsMs");
                    for (var i = 0; i < n; i++)
                    {
                        // Log-normal around the median with the p99 about 2.33 sigma above it.
                        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                        w.WriteNumberValue(Math.Round(p50 * Math.Exp(z * Math.Log(p99 / p50) / 2.33), 3));
                    }

                    w.WriteEndArray();
                    w.WriteNumber("errors", (long)Math.Round(errorRate * n));
                }
                else
                {
                    w.WriteNumber("p50Ms", Math.Round(p50, 3));
                    w.WriteNumber("p90Ms", Math.Round(p90, 3));
                    w.WriteNumber("p99Ms", Math.Round(p99, 3));
                    w.WriteNumber("errorRate", errorRate);
                    w.WriteNumber("count", count);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string Time(long us) =>
        DateTimeOffset.FromUnixTimeMilliseconds(us / 1000).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
