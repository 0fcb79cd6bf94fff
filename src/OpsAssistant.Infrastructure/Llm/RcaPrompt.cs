namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The prompt for one analysis: the template variables, the rendered text (what is counted and hashed), its o200k size,
/// and the span IDs the condensed data still cites.
/// </summary>
public sealed record RcaPrompt(IReadOnlyDictionary<string, string> Variables, string Rendered, int Tokens, IReadOnlySet<string> SpanIds, int OmittedLines);
