using System.Collections.Concurrent;
using System.Text.Json;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Evaluation.Metamorphic;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Tests.Hardening;

namespace OpsAssistant.Core.Tests.Evaluation;

/// <summary>
/// Every committed eval case, under every metamorphic transformation, keeps the heuristic engine's rank-1 verdict. The cases
/// where today's analyser does not are listed in <c>eval/metamorphic-known-failures.json</c>; a change in a case not listed
/// fails, and so does a listed case that no longer changes (the list must shrink as the analyser is fixed, never hide a
/// regression).
/// </summary>
public sealed class MetamorphicInvarianceTests(MetamorphicInvarianceTests.EvalSet set) : IClassFixture<MetamorphicInvarianceTests.EvalSet>
{
    public static TheoryData<string> Transformations => [.. MetamorphicTransformations.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Transformations))]
    public async Task Transformation_EveryEvalCase_KeepsTheRank1Verdict(string name)
    {
        var transformation = MetamorphicTransformations.All.Single(t => t.Name == name);
        var checks = new ConcurrentBag<MetamorphicEvaluator.Check>();

        await Parallel.ForEachAsync(set.Cases, async (loaded, ct) => checks.Add(await set.Evaluator.CheckAsync(loaded, transformation, 42, ct)));

        var changed = checks.Where(c => !c.Unchanged).ToDictionary(c => c.Case, c => $"{c.Case}: {c.Before} -> {c.After}", StringComparer.Ordinal);
        var known = set.KnownFailures.GetValueOrDefault(name, []);
        var unexpected = changed.Where(c => !known.Contains(c.Key)).Select(c => c.Value).Order(StringComparer.Ordinal).ToList();
        var nowSteady = known.Where(k => !changed.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unexpected.Count == 0, $"{name} changed the rank-1 verdict of cases not in eval/metamorphic-known-failures.json:\n" + string.Join("\n", unexpected));
        Assert.True(nowSteady.Count == 0, $"{name} no longer changes these listed cases; remove them from eval/metamorphic-known-failures.json: " + string.Join(", ", nowSteady));
        Assert.Equal(set.Cases.Count, checks.Count);
    }

    [Fact]
    public void EvalSet_EveryCommittedCase_IsLoaded() =>
        Assert.Equal(Directory.GetDirectories(Path.Combine(BadInputHarness.RepoRoot(), "eval", "cases")).Length, set.Cases.Count);

    [Fact]
    public void KnownFailures_NameOnlyTransformationsAndCasesThatExist()
    {
        var names = set.Cases.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(set.KnownFailures, kv =>
        {
            Assert.Contains(kv.Key, MetamorphicTransformations.All.Select(t => t.Name));
            Assert.All(kv.Value, c => Assert.Contains(c, names));
        });
    }

    /// <summary>Every eval case read and analysed once, shared by the theory rows.</summary>
    public sealed class EvalSet
    {
        public EvalSet()
        {
            var root = BadInputHarness.RepoRoot();
            Evaluator = new MetamorphicEvaluator(new HeuristicEngine(), (stream, traceId, ct) => TraceReader.ReadSingleAsync(stream, traceId, cancellationToken: ct));
            var loaded = new ConcurrentBag<MetamorphicEvaluator.LoadedCase>();
            Parallel.ForEachAsync(EvalRunner.FindCaseDirectories(Path.Combine(root, "eval", "cases")), async (dir, ct) =>
            {
                loaded.Add(await Evaluator.LoadAsync(dir, ct) ?? throw new InvalidOperationException($"eval case {dir} cannot be read or analysed"));
            }).GetAwaiter().GetResult();
            Cases = [.. loaded.OrderBy(c => c.Name, StringComparer.Ordinal)];

            using var known = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "eval", "metamorphic-known-failures.json")));
            KnownFailures = known.RootElement.GetProperty("failures").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(c => c.GetString()!).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        }

        public MetamorphicEvaluator Evaluator { get; }

        public IReadOnlyList<MetamorphicEvaluator.LoadedCase> Cases { get; }

        public IReadOnlyDictionary<string, HashSet<string>> KnownFailures { get; }
    }
}
