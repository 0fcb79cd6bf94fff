using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Expected calibration error of the rank-1 answer: when the engine says 0.8 it should be right about 80% of the time.
/// </summary>
/// <remarks>
/// Each case that ran is one claim with a stated probability and an outcome:
/// <list type="bullet">
/// <item>An answer whose first hypothesis names a cause (category other than <c>unknown</c>) claims that cause with that
/// hypothesis' confidence.</item>
/// <item>An abstention (first hypothesis <c>unknown</c>, or no hypotheses) claims that nothing can be named, and its low
/// confidence is low belief in any cause, so the stated probability is 1 − confidence (1 with no hypotheses). Without this,
/// the "unknown, 0.2" the contract asks for on a healthy trace would count as a badly calibrated 0.2 that was right.</item>
/// </list>
/// A case with a cause is right when rank == 1; a healthy case is right when it is not a false alarm. Errored cases make no
/// claim and are left out. The error is Σ over 10 equal-width bins of (cases in bin / all cases) × |accuracy − mean
/// stated probability|; a probability of exactly 1 falls in the last bin.
/// </remarks>
public static class EvalCalibration
{
    public const int Bins = 10;

    /// <summary>The stated probability and outcome of one case's rank-1 answer, or null for an errored case.</summary>
    public static (double Probability, bool Correct)? Claim(EvalCaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Errored)
        {
            return null;
        }

        var confidence = Math.Clamp(result.Confidence ?? 0, 0, 1);
        var abstains = result.PredictedCategory is null || string.Equals(result.PredictedCategory, Categories.Unknown, StringComparison.OrdinalIgnoreCase);
        var probability = abstains ? 1 - confidence : confidence;
        var correct = result.Healthy ? !result.FalseAlarm : result.Rank == 1;
        return (probability, correct);
    }

    /// <summary>Expected calibration error over <paramref name="claims"/> with <paramref name="bins"/> equal-width bins; 0 for none.</summary>
    public static double ExpectedCalibrationError(IReadOnlyCollection<(double Probability, bool Correct)> claims, int bins = Bins)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (claims.Count == 0)
        {
            return 0;
        }

        var count = new int[bins];
        var probability = new double[bins];
        var correct = new int[bins];
        foreach (var (p, ok) in claims)
        {
            var clamped = Math.Clamp(p, 0, 1);
            var bin = Math.Min((int)(clamped * bins), bins - 1);
            count[bin]++;
            probability[bin] += clamped;
            correct[bin] += ok ? 1 : 0;
        }

        var error = 0.0;
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                error += (double)count[b] / claims.Count * Math.Abs((double)correct[b] / count[b] - probability[b] / count[b]);
            }
        }

        return error;
    }

    /// <summary>The report's <c>ece</c>: <see cref="ExpectedCalibrationError"/> over the claims of every case that ran.</summary>
    public static double Of(IEnumerable<EvalCaseResult> results) =>
        ExpectedCalibrationError(results.Select(Claim).OfType<(double, bool)>().ToList());
}
