using System.Collections.Concurrent;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Traces;

/// <summary>
/// Concurrent reads of one stored trace share a single load: fifty clients asking for a 200,000-span trace at once would
/// otherwise each build their own copy before the store's cache has one. The load runs to completion whoever cancels, and
/// is forgotten as soon as it has finished, so a later read goes to the store (and its revision check) again.
/// </summary>
internal sealed class TraceReadCoalescer
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Trace?>>> _loads = new(StringComparer.Ordinal);

    public async Task<Trace?> GetAsync(ITraceStore store, string traceId, CancellationToken cancellationToken)
    {
        var id = TraceIds.NormalizeTraceId(traceId);
        var load = _loads.GetOrAdd(id, key => new Lazy<Task<Trace?>>(() => store.GetTraceAsync(key, CancellationToken.None)));
        try
        {
            return await load.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _loads.TryRemove(KeyValuePair.Create(id, load));
        }
    }
}
