using System.Buffers;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Ingest;

/// <summary>
/// The server-wide budget of memory that request bodies may hold at once, decompressed (<c>OpsAssistant:Ingest:MaxBufferedBytes</c>).
/// Each request's own limits bound one body; this bounds how many large bodies are held together, so thirty concurrent gzip
/// bombs cannot each claim their full per-request allowance. A request that would pass the budget is refused with 503 and
/// Retry-After instead of waiting (waiting would hold its connection and socket buffers anyway).
/// </summary>
internal sealed class IngestMemoryBudget : IDisposable
{
    /// <summary>Size of the pieces a body of unknown length is read in.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>Returned chunks the pool keeps for later bodies; a typical OTLP batch is well under this.</summary>
    public const long RetainedChunkBytes = 32L * 1024 * 1024;

    private readonly IngestOptions _options;
    private readonly ConcurrencyLimiter _readers;
    private long _used;

    public IngestMemoryBudget(IOptions<IngestOptions> options)
    {
        _options = options.Value;

        // Decompressing is CPU work: a few bodies at a time keep /healthz and the API responsive; the rest wait their turn.
        _readers = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrentBodies,
            QueueLimit = _options.MaxQueuedBodies,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        // A chunk is only rented once its bytes are reserved, so no more than the budget is ever out. The pool keeps at most
        // RetainedChunkBytes of returned chunks for the next body: keeping the whole budget would pin it in the process for
        // good after one burst of large bodies; past that, returned chunks are left to the collector.
        Chunks = ArrayPool<byte>.Create(ChunkBytes, (int)Math.Max(1, Math.Min(_options.MaxBufferedBytes, RetainedChunkBytes) / ChunkBytes));
    }

    public long Capacity => _options.MaxBufferedBytes;

    /// <summary>Bytes currently held by requests.</summary>
    public long Used => Interlocked.Read(ref _used);

    public ArrayPool<byte> Chunks { get; }

    /// <summary>
    /// A request's turn to read and decode a body and its share of the budget, both given back when disposed; the turn
    /// earlier once the body is decoded (<see cref="Lease.TryGiveTurn"/>).
    /// </summary>
    /// <exception cref="MemoryBudgetExceededException">Too many bodies are being read or waiting.</exception>
    public async Task<Lease> OpenAsync(CancellationToken cancellationToken)
    {
        var permit = await _readers.AcquireAsync(1, cancellationToken);
        if (!permit.IsAcquired)
        {
            permit.Dispose();
            throw new MemoryBudgetExceededException(
                $"{_options.MaxConcurrentBodies} request bodies are being read and {_options.MaxQueuedBodies} are waiting " +
                $"({IngestOptions.SectionName}:MaxConcurrentBodies, {IngestOptions.SectionName}:MaxQueuedBodies); retry shortly.");
        }

        return new Lease(this, permit);
    }

    public void Dispose() => _readers.Dispose();

    private bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    private void Release(long bytes) => Interlocked.Add(ref _used, -bytes);

    /// <summary>What one request holds of the budget.</summary>
    internal sealed class Lease(IngestMemoryBudget budget, RateLimitLease permit) : IDisposable
    {
        private long _held;
        private bool _turnGiven;

        /// <exception cref="MemoryBudgetExceededException">The budget has no room for <paramref name="bytes"/> more.</exception>
        public void Reserve(long bytes)
        {
            if (!budget.TryReserve(bytes))
            {
                throw new MemoryBudgetExceededException(
                    $"The service is holding as many request bodies as {IngestOptions.SectionName}:MaxBufferedBytes ({budget.Capacity} bytes) allows; retry shortly.");
            }

            _held += bytes;
        }

        /// <summary>Gives back part of the share early (a buffer that has been copied and dropped).</summary>
        public void Release(long bytes)
        {
            bytes = Math.Min(bytes, _held);
            _held -= bytes;
            budget.Release(bytes);
        }

        /// <summary>
        /// Decodes the request's body with <paramref name="decode"/>, then gives the turn (<see cref="TryGiveTurn"/>),
        /// charging what the decode allocated. <paramref name="decode"/> runs on this thread without awaiting, so what the
        /// thread allocated meanwhile bounds what the decoded spans keep (garbage included: the charge errs high, never
        /// low). A decode that throws keeps the turn and the body's charge until the lease is disposed.
        /// </summary>
        public T Decode<T>(Func<T> decode)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var decoded = decode();
            TryGiveTurn(GC.GetAllocatedBytesForCurrentThread() - allocated);
            return decoded;
        }

        /// <summary>
        /// The body is decoded: from here on the request is charged for its decoded spans (<paramref name="decodedBytes"/>)
        /// instead of its body, and gives its turn to read to the next body while it waits for the store. Writes are
        /// group-committed, so a turn held through the store would leave the store one request to commit at a time (on two
        /// cores, half the machine idle). When the decoded form does not fit in the budget nothing changes and the request
        /// keeps its turn until it is stored, so a request too large to share the budget is still taken, one at a time.
        /// </summary>
        /// <returns>Whether the turn was given.</returns>
        public bool TryGiveTurn(long decodedBytes)
        {
            if (_turnGiven)
            {
                return true;
            }

            decodedBytes = Math.Max(0, decodedBytes);
            if (decodedBytes > _held && !budget.TryReserve(decodedBytes - _held))
            {
                return false;
            }

            if (decodedBytes < _held)
            {
                budget.Release(_held - decodedBytes);
            }

            _held = decodedBytes;
            _turnGiven = true;
            permit.Dispose();
            return true;
        }

        public void Dispose()
        {
            Release(_held);
            if (!_turnGiven)
            {
                permit.Dispose();
            }
        }
    }
}
