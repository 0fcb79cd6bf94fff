using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Llm;
using Xunit.Abstractions;

namespace OpsAssistant.Infrastructure.Tests.Llm;

/// <summary>
/// Over the whole eval set: the prompt fits MaxPromptTokens and, whenever the deterministic analysis cites the labelled
/// root-cause span, the prompt still shows it (condensing must not drop what the analysis found; what it did not find is
/// the eval's business, not the prompt's).
/// </summary>
public sealed class PromptOverEvalSetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Prompt_EveryEvalCase_FitsTheBudgetAndKeepsTheLabelledSpan()
    {
        var options = Options.Create(new LlmOptions { MaxPromptTokens = 3000 });
        var builder = new RcaPromptBuilder(PromptFile.Load(Path.Combine(PromptFile.DefaultDirectory, "rca.yaml")), new FindingsPromptWriter(SecretRedactor.Default), options);
        var tokens = new List<int>();
        var lost = new List<string>();
        var checkedCases = 0;
        var cases = Directory.GetDirectories(Path.Combine(RepoRoot(), "eval", "cases")).Order(StringComparer.Ordinal).ToList();
        Assert.True(cases.Count >= 40);
        foreach (var dir in cases)
        {
            using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "expected.json")));
            var trace = (await TraceReader.ReadFileAsync(Path.Combine(dir, "trace.json"))).Traces[0];
            var (_, result) = HeuristicEngine.Analyze(trace);

            var prompt = await builder.BuildAsync(trace, result);

            tokens.Add(prompt.Tokens);
            Assert.True(prompt.Tokens <= 3000, $"{Path.GetFileName(dir)}: {prompt.Tokens} tokens");
            var label = expected.RootElement.GetProperty("rootCause");
            if (label.ValueKind == JsonValueKind.Null)
            {
                continue; // a healthy case has no labelled span to keep
            }

            var service = label.GetProperty("service").GetString()!;
            var span = label.TryGetProperty("span", out var s) ? s.GetString() : null;
            var labelled = trace.Spans.Where(x => string.Equals(x.ServiceName, service, StringComparison.OrdinalIgnoreCase)
                && (span is null || string.Equals(x.Name, span, StringComparison.OrdinalIgnoreCase))).Select(x => x.SpanId).ToList();
            var cited = result.Hypotheses.SelectMany(h => h.SpanIds).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!labelled.Any(cited.Contains))
            {
                continue;
            }

            checkedCases++;
            if (!labelled.Any(id => prompt.SpanIds.Contains(id) && prompt.Rendered.Contains(id, StringComparison.Ordinal)))
            {
                lost.Add(Path.GetFileName(dir));
            }
        }

        output.WriteLine($"prompt tokens over {cases.Count} cases: mean {tokens.Average():0}, max {tokens.Max()}, min {tokens.Min()}");
        Assert.True(checkedCases >= 40, $"only {checkedCases} cases have an analysis that cites the labelled span");
        Assert.True(lost.Count == 0, "labelled span missing from the prompt: " + string.Join(", ", lost));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsAssistant.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpsAssistant.sln not found above the test binaries.");
    }
}
