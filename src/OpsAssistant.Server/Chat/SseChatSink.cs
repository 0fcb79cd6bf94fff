using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Chat;

namespace OpsAssistant.Server.Chat;

/// <summary>
/// Writes a chat turn as Server-Sent Events (<c>delta</c>, <c>tool</c>, <c>analysis</c>, then <c>done</c> or <c>error</c>),
/// flushing each so the page shows progress, or collects it for a plain JSON reply. Analyses are stored as they appear so
/// <c>GET /api/analyses/{id}</c> finds them.
/// </summary>
internal sealed class SseChatSink(HttpResponse? response, IAnalysisStore analyses, TimeProvider clock) : IChatSink, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public AnalysisResult? LastAnalysis { get; private set; }

    public Task DeltaAsync(string text, CancellationToken cancellationToken) => WriteAsync("delta", new { text }, cancellationToken);

    public Task ToolAsync(string name, string status, CancellationToken cancellationToken) => WriteAsync("tool", new { name, status }, cancellationToken);

    public async Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken)
    {
        LastAnalysis = result;
        await analyses.SaveAsync(new AnalysisRecord
        {
            Id = result.AnalysisId, TraceId = result.TraceId, Status = AnalysisStatus.Done, Origin = AnalysisOrigins.Chat,
            CreatedAt = clock.GetUtcNow(), CompletedAt = clock.GetUtcNow(), Result = result,
        }, cancellationToken);
        await WriteAsync("analysis", result, cancellationToken);
    }

    public async Task WriteAsync(string eventName, object payload, CancellationToken cancellationToken)
    {
        if (response is null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await response.WriteAsync($"event: {eventName}\ndata: {JsonSerializer.Serialize(payload, ResultJson.Options)}\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
