namespace OpsAssistant.Core.Prompting;

/// <summary>A titled group of prompt lines (overview, critical path, error chain...), shown in the order given.</summary>
public sealed record PromptSection(string Title, IReadOnlyList<PromptLine> Lines);
