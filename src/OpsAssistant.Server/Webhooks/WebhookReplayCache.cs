using System.Collections.Concurrent;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// Signatures of signed deliveries seen within the signature window: a captured delivery replayed within the window is
/// refused (outside it, its timestamp is). A delivery that was not accepted gives its signature back, so a sender's retry of
/// a refused or failed request still goes through. Per process: replicas behind one balancer each keep their own.
/// </summary>
internal sealed class WebhookReplayCache(TimeProvider clock)
{
    /// <summary>Signatures held at most; a flood of distinct valid signatures needs the secret, so this is a safety net.</summary>
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True when the signature was not seen yet (and is now), false for a replay.</summary>
    public bool TryClaim(string signature, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        if (_seen.Count >= MaxEntries)
        {
            foreach (var (key, expires) in _seen)
            {
                if (expires <= now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }

        if (_seen.TryGetValue(signature, out var until) && until <= now)
        {
            _seen.TryRemove(KeyValuePair.Create(signature, until));
        }

        return _seen.TryAdd(signature, now + window + window);
    }

    public void Forget(string signature) => _seen.TryRemove(signature, out _);
}
