using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation;

/// <summary>The match rule of DESIGN.md ("Eval case"), kept in one place so the runner, the tests and any other scorer agree.</summary>
public static class EvalMatch
{
    /// <summary>
    /// True when the hypothesis names the expected service and, if the label gives a span, the expected operation.
    /// Both comparisons ignore case: exporters disagree on case (Zipkin lower-cases span names), the label should not care.
    /// </summary>
    public static bool Matches(Hypothesis hypothesis, ExpectedRootCause expected)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(expected);

        if (!string.Equals(hypothesis.Service, expected.Service, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return string.IsNullOrEmpty(expected.Span)
            || string.Equals(hypothesis.Operation, expected.Span, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>1-based position of the first matching hypothesis in answer order, or null when none matches.</summary>
    public static int? RankOf(IReadOnlyList<Hypothesis> hypotheses, ExpectedRootCause expected)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        for (var i = 0; i < hypotheses.Count; i++)
        {
            if (Matches(hypotheses[i], expected))
            {
                return i + 1;
            }
        }

        return null;
    }

    /// <summary>The confidence from which a named cause on a healthy trace counts as a false alarm.</summary>
    public const double FalseAlarmConfidence = 0.5;

    /// <summary>
    /// On a healthy trace (label <c>"rootCause": null</c>) an answer is a false alarm when its first hypothesis names a cause,
    /// i.e. is not <c>unknown</c>, with confidence ≥ <see cref="FalseAlarmConfidence"/>. A low-confidence guess or an explicit
    /// <c>unknown</c> is the answer the contract asks for.
    /// </summary>
    public static bool IsFalseAlarm(IReadOnlyList<Hypothesis> hypotheses)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        return hypotheses.Count > 0
            && !string.Equals(hypotheses[0].Category, Categories.Unknown, StringComparison.OrdinalIgnoreCase)
            && hypotheses[0].Confidence >= FalseAlarmConfidence;
    }

    /// <summary>
    /// An abstention is an answer that declines to name a cause: no hypotheses at all, or only <c>unknown</c> ones.
    /// Counted apart from misses because the contract prefers it to a confident guess.
    /// </summary>
    public static bool IsAbstention(IReadOnlyList<Hypothesis> hypotheses)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        return hypotheses.All(h => string.Equals(h.Category, Categories.Unknown, StringComparison.OrdinalIgnoreCase));
    }
}
