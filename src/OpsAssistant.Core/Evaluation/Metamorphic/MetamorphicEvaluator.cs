using System.Collections.Concurrent;
using System.Text;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>
/// Applies every metamorphic transformation to every eval case and checks that the engine's rank-1 verdict stays the same:
/// for a case with a cause, the first hypothesis' service and operation (stated in the transformed trace's names); for a
/// healthy case, whether the answer is a false alarm. Cases whose label or trace cannot be read are the eval's errored
/// cases and are left out of the rates; a transformed trace the engine fails on counts as changed.
/// </summary>
public sealed class MetamorphicEvaluator
{
    private readonly IRootCauseEngine _engine;
    private readonly EvalTraceReader _readTrace;
    private readonly IReadOnlyList<MetamorphicTransformation> _transformations;

    public MetamorphicEvaluator(IRootCauseEngine engine, EvalTraceReader readTrace, IReadOnlyList<MetamorphicTransformation>? transformations = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _readTrace = readTrace ?? throw new ArgumentNullException(nameof(readTrace));
        _transformations = transformations ?? MetamorphicTransformations.All;
    }

    /// <param name="caseDirectories">Case directories (trace.json + expected.json).</param>
    /// <param name="seed">Seeds the random transformations; each case mixes in its name so cases differ but runs repeat.</param>
    /// <param name="maxParallelism">Cases analysed at once; the engine must be safe to call concurrently.</param>
    public async Task<MetamorphicOutcome> RunAsync(IReadOnlyList<string> caseDirectories, int seed = 42, int maxParallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caseDirectories);
        var checks = new ConcurrentBag<MetamorphicCheck>();
        var checkedCases = 0;
        await Parallel.ForEachAsync(caseDirectories,
            new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (directory, ct) =>
            {
                var caseChecks = await CheckCaseAsync(directory, seed, ct).ConfigureAwait(false);
                if (caseChecks is not null)
                {
                    Interlocked.Increment(ref checkedCases);
                    foreach (var check in caseChecks)
                    {
                        checks.Add(check);
                    }
                }
            }).ConfigureAwait(false);

        var invariance = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in _transformations)
        {
            var forT = checks.Where(c => c.Transformation == t.Name).ToList();
            invariance[t.Name] = forT.Count == 0 ? 1 : Math.Round((double)forT.Count(c => c.Unchanged) / forT.Count, 4, MidpointRounding.AwayFromZero);
        }

        var order = _transformations.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var failures = checks.Where(c => !c.Unchanged)
            .OrderBy(c => order[c.Transformation]).ThenBy(c => c.Case, StringComparer.Ordinal)
            .Select(c => new InvarianceFailure(c.Transformation, c.Case, c.Before, c.After))
            .ToList();
        return new MetamorphicOutcome(invariance, failures, checkedCases);
    }

    /// <summary>Every transformation's check of one case, or null when the case itself cannot be read (an errored case).</summary>
    public async Task<IReadOnlyList<MetamorphicCheck>?> CheckCaseAsync(string caseDirectory, int seed, CancellationToken cancellationToken = default)
    {
        if (await LoadAsync(caseDirectory, cancellationToken).ConfigureAwait(false) is not { } loaded)
        {
            return null;
        }

        var checks = new List<MetamorphicCheck>(_transformations.Count);
        foreach (var t in _transformations)
        {
            checks.Add(await CheckAsync(loaded, t, seed, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    /// <summary>Reads and analyses one case as written; null when its label or trace cannot be read or the engine fails on it.</summary>
    public async Task<MetamorphicCase?> LoadAsync(string caseDirectory, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(caseDirectory));
        try
        {
            var expected = EvalExpectationReader.Parse(await File.ReadAllTextAsync(Path.Combine(caseDirectory, EvalRunner.ExpectedFileName), cancellationToken).ConfigureAwait(false));
            Trace trace;
            var stream = File.OpenRead(Path.Combine(caseDirectory, EvalRunner.TraceFileName));
            await using (stream.ConfigureAwait(false))
            {
                trace = await _readTrace(stream, expected.TraceId, cancellationToken).ConfigureAwait(false);
            }

            var baselines = await EvalRunner.ReadBaselinesAsync(caseDirectory, cancellationToken).ConfigureAwait(false);
            using (baselines is null ? null : BaselineScope.Use(baselines))
            {
                return new MetamorphicCase(name, expected, trace, await _engine.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false)) { Baselines = baselines };
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Applies one transformation to a loaded case (seeded by <paramref name="seed"/> and the case name) and compares the verdicts.</summary>
    public async Task<MetamorphicCheck> CheckAsync(MetamorphicCase loaded, MetamorphicTransformation transformation, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(transformation);
        string after;
        TransformedTrace? transformed = null;
        try
        {
            transformed = transformation.Apply(loaded.Trace, CaseSeed(seed, loaded.Name));
            var renamed = transformed;
            // A renamed trace keeps its history: the case's baselines follow the renaming.
            using (loaded.Baselines is null ? null : BaselineScope.Use(loaded.Baselines.Renamed(n => renamed.MapService(n)!, n => renamed.MapOperation(n)!)))
            {
                var result = await _engine.AnalyzeAsync(transformed.Trace, cancellationToken).ConfigureAwait(false);
                after = Verdict(result.Hypotheses, loaded.Expected.IsHealthy, null);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            after = $"failed: {ex.GetType().Name}: {ex.Message}";
        }

        return new MetamorphicCheck(transformation.Name, loaded.Name, Verdict(loaded.Original.Hypotheses, loaded.Expected.IsHealthy, transformed), after);
    }

    /// <summary>The seed a case's transformations use: the run seed mixed with the case name, so cases differ but runs repeat.</summary>
    public static int CaseSeed(int seed, string caseName) => unchecked(seed ^ (int)Fnv1a(caseName));

    /// <summary>
    /// What must not change: for a healthy case whether the answer is a false alarm; otherwise the first hypothesis' service
    /// and operation, renamed as <paramref name="renaming"/> renamed the trace (null: as they are).
    /// </summary>
    public static string Verdict(IReadOnlyList<Hypothesis> hypotheses, bool healthy, TransformedTrace? renaming)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (healthy)
        {
            return EvalMatch.IsFalseAlarm(hypotheses) ? "false alarm" : "nothing stands out";
        }

        if (hypotheses.Count == 0)
        {
            return "no hypothesis";
        }

        var top = hypotheses[0];
        var service = renaming is null ? top.Service : renaming.MapService(top.Service);
        var operation = renaming is null ? top.Operation : renaming.MapOperation(top.Operation);
        return $"{service ?? "?"} / {operation ?? "?"}";
    }

    // A stable per-case seed: string.GetHashCode is randomised per process.
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
