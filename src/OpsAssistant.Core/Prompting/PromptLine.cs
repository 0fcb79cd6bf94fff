namespace OpsAssistant.Core.Prompting;

/// <summary>
/// One line of prompt data. Lower <see cref="Priority"/> is more important; lines are dropped from the least important up
/// when the budget is tight. <see cref="SpanIds"/> are the spans the line cites, so callers can tell which spans survived.
/// </summary>
public sealed record PromptLine(string Text, int Priority, IReadOnlyList<string> SpanIds);
