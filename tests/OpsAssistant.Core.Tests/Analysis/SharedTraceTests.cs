using System.Text.Json;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Tests.Formats;

namespace OpsAssistant.Core.Tests.Analysis;

/// <summary>
/// The service hands one <see cref="Trace"/> to every request that reads it unchanged (the store's trace cache), and the
/// analysis is cached per trace object, so concurrent requests analyse, rank and write prompts from shared state.
/// </summary>
public sealed class SharedTraceTests
{
    [Theory]
    [InlineData("labeled/sibling_errors.json")]
    [InlineData("labeled/error_timeout_masked.json")]
    public async Task Analyze_ManyConcurrentCallersOnOneTrace_EachGetWhatASingleCallerOnAFreshCopyGets(string fixture)
    {
        var expected = Describe(await FixtureFile.ReadSingleAsync(fixture));
        var shared = await FixtureFile.ReadSingleAsync(fixture);
        Assert.Contains("\"SpanIds\":[\"", expected, StringComparison.Ordinal); // hypotheses citing spans were compared

        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return Describe(shared);
        })).ToList();
        start.Set();

        Assert.All(await Task.WhenAll(callers), actual => Assert.Equal(expected, actual));
    }

    /// <summary>Everything a request derives from the trace: ranking, critical path and the prompt sections.</summary>
    private static string Describe(Trace trace)
    {
        var (_, result) = HeuristicEngine.Analyze(trace);
        var sections = new FindingsPromptWriter(SecretRedactor.Default).Write(trace, result);
        return JsonSerializer.Serialize(new { result.Summary, result.Hypotheses, result.CriticalPath, sections });
    }
}
