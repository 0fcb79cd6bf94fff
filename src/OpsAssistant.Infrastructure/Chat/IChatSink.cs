using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>Where a chat turn's output goes as it is produced: streamed as Server-Sent Events, or collected into one JSON reply.</summary>
public interface IChatSink
{
    Task DeltaAsync(string text, CancellationToken cancellationToken);

    Task ToolAsync(string name, string status, CancellationToken cancellationToken);

    Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken);
}
