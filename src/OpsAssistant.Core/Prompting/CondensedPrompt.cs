namespace OpsAssistant.Core.Prompting;

/// <summary>Prompt data that fits the budget: the text, its o200k size, the spans it cites, and what was left out.</summary>
public sealed record CondensedPrompt(string Text, int Tokens, IReadOnlySet<string> SpanIds, int OmittedLines);
