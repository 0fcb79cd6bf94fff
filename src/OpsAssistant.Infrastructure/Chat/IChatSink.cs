using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>Where a chat turn's output goes as it is produced: streamed as Server-Sent Events, or collected into one JSON reply.</summary>
public interface IChatSink : IToolChatListener
{
    Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken);
}
