using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Core.Tests.Baselines;

public sealed class QuantileSketchTests
{
    private static readonly double[] Qs = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    /// <summary>Any set of durations, over nine orders of magnitude: every quantile is within 1 % of the exact value of its rank.</summary>
    [Property(MaxTest = 300)]
    public Property Quantile_AnyDurations_WithinOnePercentOfExactRank() =>
        Prop.ForAll(Gen.Choose(1, 400).SelectMany(n => Gen.ArrayOf(Duration(), n)).ToArbitrary(), values =>
        {
            var sketch = new QuantileSketch();
            foreach (var v in values)
            {
                sketch.Add(v);
            }

            var sorted = values.Order().ToArray();
            return Qs.All(q =>
            {
                var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
                var estimate = sketch.Quantile(q)!.Value;
                return Math.Abs(estimate - exact) <= QuantileSketch.DefaultRelativeAccuracy * exact + 1e-12;
            }) && sketch.Count == values.Length;
        });

    /// <summary>Merging is adding: the merge of two sketches has exactly the bins of one sketch of both sets, in either order.</summary>
    [Property(MaxTest = 200)]
    public Property Merge_TwoSketches_EqualsSketchOfUnion() =>
        Prop.ForAll(Gen.ArrayOf(Duration()).ToArbitrary(), Gen.ArrayOf(Duration()).ToArbitrary(), (a, b) =>
        {
            var union = Of([.. a, .. b]);
            var ab = Of(a);
            ab.Merge(Of(b));
            var ba = Of(b);
            ba.Merge(Of(a));
            return Same(ab, union) && Same(ba, union);
        });

    [Fact]
    public void Quantiles_LogNormalSample_MatchSingleQuantileCalls()
    {
        var random = new Random(7);
        var sketch = new QuantileSketch();
        for (var i = 0; i < 50_000; i++)
        {
            sketch.Add(Math.Exp(random.NextDouble() * 8));
        }

        var many = sketch.Quantiles(0.5, 0.9, 0.99);
        Assert.Equal([sketch.Quantile(0.5)!.Value, sketch.Quantile(0.9)!.Value, sketch.Quantile(0.99)!.Value], many);
    }

    [Fact]
    public void Quantile_ZeroAndTinyDurations_CountInTheZeroBin()
    {
        var sketch = new QuantileSketch();
        sketch.Add(0, 3);
        sketch.Add(10);
        Assert.Equal(3, sketch.ZeroCount);
        Assert.Equal(0, sketch.Quantile(0.5));
        Assert.InRange(sketch.Quantile(1)!.Value, 9.9, 10.1);
    }

    [Fact]
    public void Quantile_EmptySketch_IsNull() => Assert.Null(new QuantileSketch().Quantile(0.5));

    [Fact]
    public void Merge_DifferentAccuracy_Throws() =>
        Assert.Throws<ArgumentException>(() => new QuantileSketch(0.01).Merge(new QuantileSketch(0.02)));

    [Fact]
    public void Add_NaN_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new QuantileSketch().Add(double.NaN));

    private static QuantileSketch Of(IEnumerable<double> values)
    {
        var sketch = new QuantileSketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        return sketch;
    }

    private static bool Same(QuantileSketch a, QuantileSketch b) =>
        a.Count == b.Count && a.ZeroCount == b.ZeroCount && a.Bins.Count == b.Bins.Count && a.Bins.All(kv => b.Bins.TryGetValue(kv.Key, out var c) && c == kv.Value);

    // Durations from 1 µs to 1,000 s, log-uniform, so every scale is covered.
    private static Gen<double> Duration() =>
        Gen.Choose(-3000, 6000).Select(e => Math.Pow(10, e / 1000.0));
}
