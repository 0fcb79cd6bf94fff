using System.Collections.Concurrent;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Chat;

namespace OpsAssistant.Infrastructure.Tests.Chat;

internal sealed class RecordingSink : IChatSink
{
    public ConcurrentQueue<string> Deltas { get; } = new();

    public ConcurrentQueue<(string Name, string Status)> Tools { get; } = new();

    public ConcurrentQueue<AnalysisResult> Analyses { get; } = new();

    public string Text => string.Concat(Deltas);

    public Task DeltaAsync(string text, CancellationToken cancellationToken)
    {
        Deltas.Enqueue(text);
        return Task.CompletedTask;
    }

    public Task ToolAsync(string name, string status, CancellationToken cancellationToken)
    {
        Tools.Enqueue((name, status));
        return Task.CompletedTask;
    }

    public Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken)
    {
        Analyses.Enqueue(result);
        return Task.CompletedTask;
    }
}
