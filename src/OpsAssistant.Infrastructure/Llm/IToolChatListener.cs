namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Hears a tool-calling chat turn as it runs: text as the model streams it, and each tool call's progress.</summary>
public interface IToolChatListener
{
    Task DeltaAsync(string text, CancellationToken cancellationToken);

    /// <summary>A tool call's progress: <c>running</c>, <c>done</c>, <c>failed</c>, or <c>skipped: step limit reached</c>.</summary>
    Task ToolAsync(string name, string status, CancellationToken cancellationToken);
}
