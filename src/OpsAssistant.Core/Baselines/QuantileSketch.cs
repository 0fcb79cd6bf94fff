namespace OpsAssistant.Core.Baselines;

/// <summary>
/// A DDSketch-style quantile sketch of positive values (span durations in milliseconds): logarithmic bins of ratio
/// γ = (1 + α) / (1 − α) counted in a sparse map, so every quantile it answers lies within a relative error α of the true
/// value of that rank, whatever the distribution. Two sketches with the same α merge by adding bin counts, which is what
/// lets a database merge them (rows keyed by bin index, <c>count = count + excluded.count</c>) and replicas share them.
/// Not thread-safe.
/// </summary>
public sealed class QuantileSketch
{
    /// <summary>The relative accuracy the baselines use: 1 %.</summary>
    public const double DefaultRelativeAccuracy = 0.01;

    /// <summary>Values at or below this (ms) are counted in the zero bin: a nanosecond is below any useful resolution.</summary>
    public const double MinIndexableMs = 1e-6;

    private readonly Dictionary<int, long> _bins = [];
    private readonly double _logGamma;

    public QuantileSketch(double relativeAccuracy = DefaultRelativeAccuracy)
    {
        if (!(relativeAccuracy is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "relative accuracy must be in (0, 1)");
        }

        RelativeAccuracy = relativeAccuracy;
        Gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _logGamma = Math.Log(Gamma);
    }

    public double RelativeAccuracy { get; }

    /// <summary>The ratio between neighbouring bin bounds.</summary>
    public double Gamma { get; }

    /// <summary>Values counted, the zero bin included.</summary>
    public long Count { get; private set; }

    /// <summary>Values at or below <see cref="MinIndexableMs"/>.</summary>
    public long ZeroCount { get; private set; }

    /// <summary>The non-empty bins: index → count. Bin <c>i</c> holds the values in (γ^(i−1), γ^i].</summary>
    public IReadOnlyDictionary<int, long> Bins => _bins;

    /// <summary>The bin a value falls in (values above <see cref="MinIndexableMs"/> only).</summary>
    public int IndexOf(double value) => (int)Math.Ceiling(Math.Log(value) / _logGamma);

    /// <summary>The value a bin stands for: the point within a relative error α of every value in the bin.</summary>
    public double ValueOf(int index) => 2 * Math.Pow(Gamma, index) / (Gamma + 1);

    public void Add(double value, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (double.IsNaN(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a duration must be a number");
        }

        if (value <= MinIndexableMs)
        {
            AddZero(count);
        }
        else
        {
            AddBin(IndexOf(Math.Min(value, double.MaxValue)), count);
        }
    }

    /// <summary>Adds <paramref name="count"/> values to bin <paramref name="index"/>: how a stored sketch is read back.</summary>
    public void AddBin(int index, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _bins[index] = _bins.GetValueOrDefault(index) + count;
        Count += count;
    }

    public void AddZero(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ZeroCount += count;
        Count += count;
    }

    /// <summary>Adds every value of <paramref name="other"/>: the result is the sketch of both sets of values.</summary>
    /// <exception cref="ArgumentException">The sketches have different relative accuracies, so their bins differ.</exception>
    public void Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Gamma != Gamma)
        {
            throw new ArgumentException("cannot merge sketches of different relative accuracy", nameof(other));
        }

        foreach (var (index, count) in other._bins)
        {
            AddBin(index, count);
        }

        if (other.ZeroCount > 0)
        {
            AddZero(other.ZeroCount);
        }
    }

    /// <summary>
    /// The value of rank ⌊q·(n − 1)⌋ among the values added, within a relative error α; null for an empty sketch.
    /// </summary>
    public double? Quantile(double q)
    {
        if (!(q is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile must be in [0, 1]");
        }

        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Floor(q * (Count - 1));
        if (rank < ZeroCount)
        {
            return 0;
        }

        var seen = ZeroCount;
        foreach (var index in _bins.Keys.Order())
        {
            seen += _bins[index];
            if (seen > rank)
            {
                return ValueOf(index);
            }
        }

        return ValueOf(_bins.Keys.Max());
    }

    /// <summary>Several quantiles in one pass over the sorted bins; <paramref name="qs"/> ascending.</summary>
    public double[] Quantiles(params ReadOnlySpan<double> qs)
    {
        var result = new double[qs.Length];
        if (Count == 0)
        {
            return result;
        }

        var ordered = _bins.Keys.Order().ToArray();
        var seen = ZeroCount;
        var b = -1;
        for (var k = 0; k < qs.Length; k++)
        {
            if (!(qs[k] is >= 0 and <= 1) || (k > 0 && qs[k] < qs[k - 1]))
            {
                throw new ArgumentOutOfRangeException(nameof(qs), "quantiles must be in [0, 1] and ascending");
            }

            var rank = (long)Math.Floor(qs[k] * (Count - 1));
            if (rank < ZeroCount)
            {
                result[k] = 0;
                continue;
            }

            while (seen <= rank && b + 1 < ordered.Length)
            {
                b++;
                seen += _bins[ordered[b]];
            }

            result[k] = ValueOf(ordered[Math.Max(0, b)]);
        }

        return result;
    }
}
