using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Core.Tests.Prompting;

public sealed class PromptCondenserTests
{
    private readonly PromptCondenser _condenser = new(TokenCounter.O200k);

    [Fact]
    public void Condense_EverythingFits_KeepsAllLinesInSectionOrder()
    {
        var sections = new[]
        {
            new PromptSection("Overview", [Line("root frontend/GET 1200 ms", 0, "a")]),
            new PromptSection("Hotspots", [Line("db/SELECT 900 ms", 2, "b"), Line("cache/GET 3 ms", 5, "c")]),
        };

        var result = _condenser.Condense(sections, 1000);

        Assert.Equal("## Overview\nroot frontend/GET 1200 ms\n\n## Hotspots\ndb/SELECT 900 ms\ncache/GET 3 ms\n", result.Text);
        Assert.Equal(0, result.OmittedLines);
        Assert.Equal(new HashSet<string> { "a", "b", "c" }, result.SpanIds);
        Assert.Equal(TokenCounter.O200k.Count(result.Text), result.Tokens);
    }

    [Fact]
    public void Condense_TightBudget_DropsLeastImportantLinesFirstAndStaysWithinBudget()
    {
        var lines = Enumerable.Range(0, 5000)
            .Select(i => Line($"healthy span service-{i % 40}/op-{i} took {i % 97} ms", 10 + i % 3, $"h{i}"))
            .Prepend(Line("ROOT CAUSE payment/Charge failed: card processor rejected", 0, "cause"))
            .ToList();

        var result = _condenser.Condense([new PromptSection("Spans", lines)], 400);

        Assert.InRange(result.Tokens, 1, 400);
        Assert.Contains("ROOT CAUSE payment/Charge", result.Text, StringComparison.Ordinal);
        Assert.Contains("cause", result.SpanIds);
        Assert.True(result.OmittedLines > 4000);
        Assert.Contains("lower-priority items omitted", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(20_000)]
    public void Condense_AnyInputSize_NeverExceedsBudget(int lineCount)
    {
        var lines = Enumerable.Range(0, lineCount).Select(i => Line($"line {i} {new string('x', i % 50)}", i % 7, $"s{i}")).ToList();

        var result = _condenser.Condense([new PromptSection("A", lines)], 3000);

        Assert.InRange(result.Tokens, 1, 3000);
    }

    private static PromptLine Line(string text, int priority, string spanId) => new(text, priority, [spanId]);
}
