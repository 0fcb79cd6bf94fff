using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Engine;

/// <summary>
/// The engine every output reads from: whatever the inner engine (heuristic or LLM) wrote from span names, status messages
/// and attributes is redacted before the result is stored, returned, streamed or posted anywhere.
/// </summary>
public sealed class RedactingRootCauseEngine(IRootCauseEngine inner, SecretRedactor redactor) : IRootCauseEngine
{
    public async Task<AnalysisResult> AnalyzeAsync(Trace trace, CancellationToken cancellationToken = default) =>
        redactor.Redact(await inner.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false));
}
