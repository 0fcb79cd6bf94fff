using System.Globalization;

namespace OpsAssistant.Core.Incidents;

/// <summary>
/// A BubbleUp-style comparison of two windows of one service's traces. Slow or failed traces of the alert window (slow
/// against the window before's durations of the same operation) are compared, dimension value by dimension value, with
/// all traces of the window before and with the alert window's normal traces; values over-represented among them are
/// ranked by support × ln(lift). Pure and deterministic: the answer does not depend on the order of the traces, on
/// attributes outside <see cref="IncidentDimensions"/>, or on where both windows sit in time.
/// </summary>
public static class IncidentComparer
{
    public const string AlertWindow = "alert";
    public const string PreviousWindow = "previous";

    public static IncidentComparison Compare(IReadOnlyList<IncidentTrace> previous, IReadOnlyList<IncidentTrace> alert, IncidentComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(alert);
        options ??= IncidentComparisonOptions.Default;

        var before = Canonical(previous);
        var current = Canonical(alert);
        var thresholds = SlowThresholds(before, current, options);
        var beforeJudged = before.Select(t => Judge(t, thresholds)).ToList();
        var currentJudged = current.Select(t => Judge(t, thresholds)).ToList();

        var anomalous = currentJudged.Where(j => j.Anomalous).ToList();
        var normalCount = currentJudged.Count - anomalous.Count;
        var changes = anomalous.Count == 0 ? [] : Rank(beforeJudged, currentJudged, anomalous.Count, normalCount, options);
        var exemplars = ChooseExemplars(changes, beforeJudged, currentJudged, options);
        var alertCounts = Count(currentJudged);
        var previousCounts = Count(beforeJudged);
        return new IncidentComparison
        {
            Alert = alertCounts,
            Previous = previousCounts,
            Changes = changes,
            Exemplars = exemplars,
            Summary = Summarize(changes, alertCounts, previousCounts),
        };
    }

    /// <summary>One trace per ID (the first in ID order wins), sorted by ID.</summary>
    private static List<IncidentTrace> Canonical(IReadOnlyList<IncidentTrace> traces) =>
        traces.GroupBy(t => t.TraceId, StringComparer.Ordinal)
            .Select(g => g.OrderBy(t => t.StartUnixNano).ThenBy(t => t.DurationNano).First())
            .OrderBy(t => t.TraceId, StringComparer.Ordinal)
            .ToList();

    /// <summary>Per operation, the duration above which a trace counts as slow.</summary>
    private static Dictionary<string, long> SlowThresholds(List<IncidentTrace> before, List<IncidentTrace> current, IncidentComparisonOptions options)
    {
        var thresholds = new Dictionary<string, long>(StringComparer.Ordinal);
        var beforeByOperation = before.GroupBy(t => t.Operation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(t => t.DurationNano).ToList(), StringComparer.Ordinal);
        foreach (var operation in before.Concat(current).Select(t => t.Operation).Distinct(StringComparer.Ordinal))
        {
            var durations = beforeByOperation.TryGetValue(operation, out var history) && history.Count >= options.MinBaselineTraces
                ? history
                : before.Concat(current).Where(t => string.Equals(t.Operation, operation, StringComparison.Ordinal)).Select(t => t.DurationNano).ToList();
            durations.Sort();
            var quantile = Quantile(durations, options.SlowQuantile);
            var median = Quantile(durations, 0.5);
            thresholds[operation] = Math.Max(quantile, (long)Math.Ceiling(median * options.SlowMedianFactor));
        }

        return thresholds;
    }

    /// <summary>Nearest-rank quantile of sorted values.</summary>
    private static long Quantile(List<long> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static Judged Judge(IncidentTrace trace, Dictionary<string, long> thresholds)
    {
        var threshold = thresholds[trace.Operation];
        var slow = trace.DurationNano > threshold;
        return new Judged(trace, slow, slow || trace.IsError, threshold > 0 ? trace.DurationNano / (double)threshold : 0);
    }

    private static List<DimensionChange> Rank(List<Judged> before, List<Judged> current, int anomalousTotal, int normalTotal, IncidentComparisonOptions options)
    {
        // Per value: the traces carrying it in each window (indices into the sorted lists), for counting and alias detection.
        var inCurrent = Carriers(current);
        var inBefore = Carriers(before);
        var candidates = new List<(DimensionChange Change, IncidentDimension Value, string Signature)>();
        foreach (var (value, carriers) in inCurrent)
        {
            var anomalousCount = carriers.Count(i => current[i].Anomalous);
            if (anomalousCount < options.MinAnomalousCount)
            {
                continue;
            }

            var normalCount = carriers.Count - anomalousCount;
            var beforeCarriers = inBefore.TryGetValue(value, out var list) ? list : [];
            var support = anomalousCount / (double)anomalousTotal;
            var previousSupport = before.Count == 0 ? 0 : beforeCarriers.Count / (double)before.Count;

            // Laplace-style smoothing: a value never seen before gets a finite lift that grows with the evidence behind it.
            var smoothed = (beforeCarriers.Count + 0.5) / (before.Count + 1.0);
            var lift = support / smoothed;
            var withoutTotal = current.Count - carriers.Count;
            var rateWith = anomalousCount / (double)carriers.Count;
            double? rateWithout = withoutTotal == 0 ? null : (anomalousTotal - anomalousCount) / (double)withoutTotal;
            if (support < options.MinSupport || lift < options.MinLift)
            {
                continue;
            }

            if (withoutTotal >= options.MinContrastTraces && rateWith < options.MinRiskRatio * rateWithout!.Value)
            {
                continue;
            }

            var change = new DimensionChange
            {
                Dimension = value.Key,
                Value = value.Value,
                AnomalousCount = anomalousCount,
                AnomalousSupport = Round(support),
                NormalSupport = Round(normalTotal == 0 ? 0 : normalCount / (double)normalTotal),
                PreviousCount = beforeCarriers.Count,
                PreviousSupport = Round(previousSupport),
                AnomalyRateWith = Round(rateWith),
                AnomalyRateWithout = rateWithout is { } r ? Round(r) : null,
                Lift = Round(lift),
                Score = Round(support * Math.Log(lift)),
            };
            candidates.Add((change, value, string.Join(',', carriers) + "|" + string.Join(',', beforeCarriers)));
        }

        // Values carried by exactly the same traces in both windows say one thing: keep the highest-priority one and list the rest.
        var merged = new List<DimensionChange>();
        foreach (var group in candidates.GroupBy(c => c.Signature, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(c => c.Value, Comparer<IncidentDimension>.Create(IncidentDimensions.Compare)).ToList();
            merged.Add(ordered[0].Change with { AlsoMatches = ordered.Skip(1).Select(c => c.Value.ToString()).ToList() });
        }

        return merged
            .OrderByDescending(c => c.Score)
            .ThenBy(c => new IncidentDimension(c.Dimension, c.Value), Comparer<IncidentDimension>.Create(IncidentDimensions.Compare))
            .Take(options.MaxChanges)
            .ToList();
    }

    private static Dictionary<IncidentDimension, List<int>> Carriers(List<Judged> traces)
    {
        var carriers = new Dictionary<IncidentDimension, List<int>>();
        for (var i = 0; i < traces.Count; i++)
        {
            foreach (var value in traces[i].Trace.Dimensions)
            {
                if (!carriers.TryGetValue(value, out var list))
                {
                    carriers[value] = list = [];
                }

                // A trace's dimensions are distinct, so each index is added once per value.
                list.Add(i);
            }
        }

        return carriers;
    }

    private static List<IncidentExemplar> ChooseExemplars(List<DimensionChange> changes, List<Judged> before, List<Judged> current, IncidentComparisonOptions options)
    {
        var top = changes.Count > 0 ? new IncidentDimension(changes[0].Dimension, changes[0].Value) : (IncidentDimension?)null;
        var worst = current
            .Where(j => j.Anomalous && (top is not { } value || j.Trace.Dimensions.Contains(value)))
            .OrderByDescending(j => j.Trace.IsError)
            .ThenByDescending(j => j.Excess)
            .ThenBy(j => j.Trace.TraceId, StringComparer.Ordinal)
            .Take(options.MaxExemplars)
            .ToList();
        var exemplars = worst.Select(j => Exemplar(j, IncidentExemplar.ExemplarRole, AlertWindow)).ToList();
        if (worst.Count == 0)
        {
            return exemplars;
        }

        // The contrast: a normal trace of the first exemplar's operation without the value, nearest that operation's median.
        var operation = worst[0].Trace.Operation;
        var contrast = Typical(current, operation, top) is { } fromAlert
            ? Exemplar(fromAlert, IncidentExemplar.ContrastRole, AlertWindow)
            : Typical(before, operation, top) is { } fromBefore ? Exemplar(fromBefore, IncidentExemplar.ContrastRole, PreviousWindow) : null;
        if (contrast is not null)
        {
            exemplars.Add(contrast);
        }

        return exemplars;
    }

    private static Judged? Typical(List<Judged> traces, string operation, IncidentDimension? excluded)
    {
        var normal = traces
            .Where(j => !j.Anomalous && string.Equals(j.Trace.Operation, operation, StringComparison.Ordinal)
                && (excluded is not { } value || !j.Trace.Dimensions.Contains(value)))
            .OrderBy(j => j.Trace.DurationNano).ThenBy(j => j.Trace.TraceId, StringComparer.Ordinal)
            .ToList();
        return normal.Count == 0 ? null : normal[(normal.Count - 1) / 2];
    }

    private static IncidentExemplar Exemplar(Judged judged, string role, string window) => new()
    {
        TraceId = judged.Trace.TraceId,
        Role = role,
        Window = window,
        Operation = judged.Trace.Operation,
        DurationMs = Round(judged.Trace.DurationNano / 1_000_000.0),
        Failed = judged.Trace.IsError,
        Slow = judged.Slow,
    };

    private static IncidentWindowCounts Count(List<Judged> traces) =>
        new(traces.Count, traces.Count(j => j.Slow), traces.Count(j => j.Trace.IsError), traces.Count(j => j.Anomalous));

    private static string Summarize(List<DimensionChange> changes, IncidentWindowCounts alert, IncidentWindowCounts previous)
    {
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{alert.Anomalous} of {alert.Traces} traces slow or failed (window before: {previous.Anomalous} of {previous.Traces})");
        if (alert.Traces == 0)
        {
            return "No traces of the service in the alert window.";
        }

        if (changes.Count == 0)
        {
            return $"No dimension stands out among the slow or failed traces; {counts}.";
        }

        var top = changes[0];
        return string.Create(CultureInfo.InvariantCulture,
            $"{top.Dimension}={top.Value} is on {top.AnomalousSupport:P0} of slow or failed traces vs {top.PreviousSupport:P0} of traces in the window before (lift {top.Lift:0.#}×); {counts}.");
    }

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    private sealed record Judged(IncidentTrace Trace, bool Slow, bool Anomalous, double Excess);
}
