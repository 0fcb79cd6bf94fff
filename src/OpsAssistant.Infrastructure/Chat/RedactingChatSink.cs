using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// The chat's output boundary: streamed reply text passes through a <see cref="StreamingRedactor"/> (a secret split across
/// two deltas is still caught) and analyses are redacted before the inner sink stores or sends them.
/// </summary>
internal sealed class RedactingChatSink(IChatSink inner, SecretRedactor redactor) : IChatSink
{
    private readonly StreamingRedactor _text = new(redactor);

    public Task DeltaAsync(string text, CancellationToken cancellationToken)
    {
        var safe = _text.Push(text);
        return safe.Length == 0 ? Task.CompletedTask : inner.DeltaAsync(safe, cancellationToken);
    }

    public async Task ToolAsync(string name, string status, CancellationToken cancellationToken)
    {
        // Held text goes first so the page shows the reply and the tool call in the order they happened.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await inner.ToolAsync(name, status, cancellationToken).ConfigureAwait(false);
    }

    public async Task AnalysisAsync(AnalysisResult result, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await inner.AnalysisAsync(redactor.Redact(result), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the text still held back; call when the turn ends.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var rest = _text.Flush();
        return rest.Length == 0 ? Task.CompletedTask : inner.DeltaAsync(rest, cancellationToken);
    }
}
