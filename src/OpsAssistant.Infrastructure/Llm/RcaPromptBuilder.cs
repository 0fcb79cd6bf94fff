using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Renders <c>prompts/rca.yaml</c> with Semantic Kernel's own template engine, so what is counted is what is sent. The data
/// budget is <c>MaxPromptTokens</c> minus the template's fixed cost; the condenser fills it by priority.
/// </summary>
public sealed class RcaPromptBuilder : IRcaPromptBuilder
{
    private readonly IPromptTemplate _template;
    private readonly Kernel _renderKernel = new();
    private readonly IPromptSectionWriter _writer;
    private readonly PromptCondenser _condenser;
    private readonly TokenCounter _counter;
    private readonly IOptions<LlmOptions> _options;
    private int _templateOverhead = -1;

    public RcaPromptBuilder(PromptTemplateConfig prompt, IPromptSectionWriter writer, IOptions<LlmOptions> options)
    {
        _template = new KernelPromptTemplateFactory().Create(prompt);
        _writer = writer;
        _options = options;
        _counter = TokenCounter.O200k;
        _condenser = new PromptCondenser(_counter);
    }

    public async Task<RcaPrompt> BuildAsync(Trace trace, AnalysisResult heuristic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var overhead = await TemplateOverheadAsync(cancellationToken).ConfigureAwait(false);
        var budget = Math.Max(200, _options.Value.MaxPromptTokens - overhead);
        var condensed = _condenser.Condense(_writer.Write(trace, heuristic), budget);
        var variables = Variables(trace.TraceId, condensed.Text);
        var rendered = await _template.RenderAsync(_renderKernel, new KernelArguments(variables.ToDictionary(k => k.Key, k => (object?)k.Value)), cancellationToken)
            .ConfigureAwait(false);
        return new RcaPrompt(variables, rendered, _counter.Count(rendered), condensed.SpanIds, condensed.OmittedLines);
    }

    /// <summary>A fence the data cannot contain: derived from the data's own hash, and stable so replays send identical bytes.</summary>
    internal static string Fence(string data) =>
        "TRACE-DATA-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)))[..12];

    private static Dictionary<string, string> Variables(string traceId, string data) => new(StringComparer.Ordinal)
    {
        ["trace_id"] = traceId,
        ["categories"] = string.Join(", ", Categories.All),
        ["trace_data"] = data,
        ["data_fence"] = Fence(data),
    };

    private const int JoinMargin = 8;

    private async Task<int> TemplateOverheadAsync(CancellationToken cancellationToken)
    {
        if (_templateOverhead < 0)
        {
            // A trace ID of mixed hex digits costs as many tokens as a real one (32 zeros cost far fewer); the margin covers
            // the tokens that merge or split where the data joins the template's text.
            var empty = Variables("9f3a7c1e5b2d8f4a6c0e9b3d7a1f5c2e", "");
            var rendered = await _template.RenderAsync(_renderKernel, new KernelArguments(empty.ToDictionary(k => k.Key, k => (object?)k.Value)), cancellationToken)
                .ConfigureAwait(false);
            _templateOverhead = _counter.Count(rendered) + JoinMargin;
        }

        return _templateOverhead;
    }
}
