using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>
/// Gathers the sketches of ingested spans in memory, per (operation, bucket), until the flush service writes them to the
/// database as count increments. Ingest pays a dictionary lookup and a logarithm per span; the database sees one upsert
/// batch per flush interval, whatever the span rate.
/// </summary>
public sealed class BaselineRecorder(long bucketMs)
{
    private readonly Lock _gate = new();
    private Dictionary<(OperationKey Key, long Bucket), Pending> _pending = [];

    public BaselineRecorder()
        : this((long)TimeSpan.FromHours(1).TotalMilliseconds)
    {
    }

    public long BucketMs { get; } = bucketMs > 0 ? bucketMs : throw new ArgumentOutOfRangeException(nameof(bucketMs));

    /// <summary>False with <c>Source: None</c>: ingest then records nothing.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Operations and buckets waiting for the next flush.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Adds every span's duration and outcome to its operation's sketch of its start's bucket.</summary>
    public void Record(IReadOnlyList<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (!Enabled || spans.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            Pending? last = null;
            (OperationKey, long) lastKey = default;
            foreach (var span in spans)
            {
                var key = (new OperationKey(span.ServiceName, span.Name, span.Kind), Bucket(span.StartUnixNano / 1_000_000));
                // Spans of one batch come grouped by service and scope: consecutive spans mostly share an operation.
                if (last is null || !lastKey.Equals(key))
                {
                    if (!_pending.TryGetValue(key, out last))
                    {
                        last = new Pending();
                        _pending[key] = last;
                    }

                    lastKey = key;
                }

                last.Sketch.Add(span.DurationMs);
                last.Errors += span.IsError ? 1 : 0;
            }
        }
    }

    /// <summary>Takes everything gathered so far, leaving the recorder empty.</summary>
    public IReadOnlyList<BaselineIncrement> Drain()
    {
        Dictionary<(OperationKey Key, long Bucket), Pending> taken;
        lock (_gate)
        {
            taken = _pending;
            _pending = [];
        }

        return taken.Select(p => new BaselineIncrement(p.Key.Key, p.Key.Bucket, p.Value.Sketch, p.Value.Errors)).ToList();
    }

    /// <summary>Puts increments back after a failed flush, so a busy database delays them instead of losing them.</summary>
    public void Restore(IReadOnlyList<BaselineIncrement> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        lock (_gate)
        {
            foreach (var inc in increments)
            {
                if (!_pending.TryGetValue((inc.Key, inc.BucketMs), out var pending))
                {
                    pending = new Pending();
                    _pending[(inc.Key, inc.BucketMs)] = pending;
                }

                pending.Sketch.Merge(inc.Sketch);
                pending.Errors += inc.Errors;
            }
        }
    }

    public long Bucket(long unixMs) => BaselineWindow.UnitStart(unixMs, BucketMs);

    private sealed class Pending
    {
        public QuantileSketch Sketch { get; } = new();

        public long Errors { get; set; }
    }
}

/// <summary>What one flush adds for one operation and bucket: its sketch's bins and its failed calls.</summary>
public sealed record BaselineIncrement(OperationKey Key, long BucketMs, QuantileSketch Sketch, long Errors);
