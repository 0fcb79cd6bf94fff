using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Keeps the model honest: a hypothesis survives only if it cites spans that exist in the trace; <c>service</c>/<c>operation</c>
/// come from the first cited span, never from the model's prose; the heuristic evidence for the same spans is merged in, and
/// heuristic hypotheses the model did not cover follow the model's ranking.
/// </summary>
public static class AnswerGrounder
{
    /// <summary>Heuristic hypotheses the model left out keep their place, discounted, after the model's own.</summary>
    private const double UncoveredHeuristicDiscount = 0.8;

    private const int MaxHypotheses = 8;

    public static GroundedAnswer Ground(LlmAnswer answer, Trace trace, AnalysisResult heuristic)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(heuristic);
        var spans = new Dictionary<string, Span>(trace.Spans.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var span in trace.Spans)
        {
            spans.TryAdd(span.SpanId, span);
        }

        var merged = new List<Hypothesis>();
        var dropped = 0;
        var usedSpans = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in answer.Hypotheses.OrderBy(h => h.Rank <= 0 ? int.MaxValue : h.Rank))
        {
            var cited = (h.SpanIds ?? []).Select(id => id?.Trim() ?? "").Where(spans.ContainsKey).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (cited.Count == 0)
            {
                dropped++;
                continue;
            }

            var primary = spans[cited[0]];
            var support = heuristic.Hypotheses.FirstOrDefault(x => x.SpanIds.Count > 0 && cited.Contains(x.SpanIds[0], StringComparer.OrdinalIgnoreCase))
                ?? heuristic.Hypotheses.FirstOrDefault(x => x.SpanIds.Any(id => cited.Contains(id, StringComparer.OrdinalIgnoreCase)));
            var category = Categories.IsKnown(h.Category) ? h.Category : support?.Category ?? Categories.Unknown;
            var confidence = double.IsFinite(h.Confidence) ? Math.Clamp(h.Confidence, 0, 1) : 0;
            if (category == Categories.Unknown)
            {
                confidence = Math.Min(confidence, 0.2);
            }

            var evidence = (h.Evidence ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).ToList();
            foreach (var line in support?.Evidence ?? [])
            {
                if (!evidence.Contains(line, StringComparer.Ordinal))
                {
                    evidence.Add(line);
                }
            }

            merged.Add(new Hypothesis
            {
                Title = string.IsNullOrWhiteSpace(h.Title) ? support?.Title ?? $"{primary.ServiceName}/{primary.Name}" : h.Title.Trim(),
                Category = category,
                Confidence = Math.Round(confidence, 3),
                Service = primary.ServiceName,
                Operation = primary.Name,
                SpanIds = cited.Select(id => spans[id].SpanId).ToList(),
                Evidence = evidence,
                Remediation = string.IsNullOrWhiteSpace(h.Remediation) ? support?.Remediation ?? "" : h.Remediation.Trim(),
            });
            usedSpans.UnionWith(cited);
        }

        if (merged.Count > 0)
        {
            foreach (var h in heuristic.Hypotheses)
            {
                if (h.Category == Categories.Unknown || h.SpanIds.Count == 0 || usedSpans.Contains(h.SpanIds[0]))
                {
                    continue;
                }

                merged.Add(h with { Confidence = Math.Round(h.Confidence * UncoveredHeuristicDiscount, 3) });
                usedSpans.Add(h.SpanIds[0]);
            }
        }

        var ranked = merged.Take(MaxHypotheses).Select((h, i) => h with { Rank = i + 1 }).ToList();
        return new GroundedAnswer(ranked, dropped);
    }
}
