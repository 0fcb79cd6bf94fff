using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>
/// Decodes one trace's chunks as the database reader hands them over, on more than one core when the trace is large.
/// Decoding is most of a first read's time, and the reader's thread otherwise decodes while the database waits to send
/// the next rows. The chunks are copied into windows of about <see cref="WindowBytes"/>; a full window is decoded on a
/// thread-pool thread while the reader goes on fetching, up to one window at a time per other core, and beyond that on the
/// reader's own thread, so a decode slower than the fetch slows the fetch rather than piling windows up in memory. A trace
/// smaller than one window is decoded on the reader's thread alone. The spans come out in the chunks' order whichever
/// window finished first, and every decoder shares one <see cref="SpanPayloadDecoder.SharedObjects"/>, so the spans of
/// one resource still share one instance.
/// </summary>
internal sealed class ChunkDecodePipeline : IDisposable
{
    /// <summary>
    /// A window's size: a few hundred spans, a fraction of a millisecond to decode, so a 10k-span trace (about 2.6 MB)
    /// spreads over both cores of a small machine, while handing a window to another thread (microseconds) stays negligible.
    /// </summary>
    internal const int WindowBytes = 128 * 1024;

    /// <summary>The most cores one read decodes on, so one large trace does not take a big machine from concurrent requests.</summary>
    internal const int MaxCores = 4;

    private readonly string _traceId;
    private readonly int _maxHandedOff;
    private readonly SpanPayloadDecoder.SharedObjects _shared = new();
    private readonly ConcurrentBag<SpanPayloadDecoder> _idleDecoders = [];
    private readonly List<Window> _windows = [];
    private Window? _filling;
    private int _handedOff;

    /// <param name="traceId">The trace the chunks belong to.</param>
    /// <param name="cores">Cores to decode on (the reader's thread is one); 1 decodes everything on the reader's thread.</param>
    public ChunkDecodePipeline(string traceId, int cores)
    {
        _traceId = traceId;
        _maxHandedOff = Math.Max(0, cores - 1);
        Decoder = new SpanPayloadDecoder(_shared);
    }

    /// <summary>The reader thread's decoder, for the spans of the same read stored outside chunks.</summary>
    public SpanPayloadDecoder Decoder { get; }

    /// <summary>Chunks added so far.</summary>
    public int Chunks { get; private set; }

    /// <summary>Takes a copy of one chunk; the caller's buffer may be reused as soon as this returns.</summary>
    /// <exception cref="InvalidDataException">A chunk larger than a window is malformed (smaller ones are checked as they are decoded).</exception>
    public void Add(ReadOnlySpan<byte> chunk)
    {
        Chunks++;
        if (chunk.Length > WindowBytes)
        {
            AddLarge(chunk);
            return;
        }

        if (_filling is { } full && !full.Buffer.Fits(chunk.Length))
        {
            _filling = null;
            Close(full);
        }

        var window = _filling ??= new Window(new SharedBuffer(WindowBytes));
        window.AddChunk(chunk);
        if (window.Buffer.Used >= WindowBytes)
        {
            _filling = null;
            Close(window);
        }
    }

    /// <summary>
    /// A chunk larger than a window (a trace that arrived in one big export) is cut into runs of span records of about a
    /// window each, decoded like windows, against the header the reader's thread read once.
    /// </summary>
    private void AddLarge(ReadOnlySpan<byte> chunk)
    {
        if (_filling is { } pending)
        {
            _filling = null;
            Close(pending);
        }

        var buffer = new SharedBuffer(chunk.Length);
        try
        {
            var bytes = buffer.Append(chunk);
            var header = Decoder.ReadChunkHeader(chunk);
            var records = chunk[header.SpansStart..];
            int runStart = 0, position = 0, runCount = 0;
            for (var n = 0; n < header.SpanCount; n++)
            {
                position = SpanPayloadDecoder.SkipSpan(records, position);
                runCount++;
                if (position - runStart >= WindowBytes || n == header.SpanCount - 1)
                {
                    Close(new Window(buffer, new Run(bytes.Start + header.SpansStart + runStart, position - runStart, runCount, header)));
                    (runStart, runCount) = (position, 0);
                }
            }
        }
        finally
        {
            // The windows cut from the chunk hold their own references to its buffer.
            buffer.Release();
        }
    }

    /// <summary>Decodes what is left and appends every chunk's spans to <paramref name="spans"/>, in the order the chunks were added.</summary>
    /// <exception cref="InvalidDataException">A chunk is not a stored chunk this version can read.</exception>
    public async Task AppendSpansToAsync(List<Span> spans)
    {
        if (_filling is { } last)
        {
            _filling = null;
            _windows.Add(last);
        }

        foreach (var window in _windows)
        {
            // A window handed off but not yet started (the other cores are busy elsewhere) is decoded here rather than
            // waited for, so on a loaded machine a read takes no longer than decoding it all on this thread would.
            if (window.TryClaim())
            {
                window.Decode(_traceId, Decoder);
            }
            else if (window.Decoding is { } decoding)
            {
                await decoding.ConfigureAwait(false);
            }

            window.Failure?.Throw();
        }

        spans.EnsureCapacity(spans.Count + _windows.Sum(w => w.Spans.Count));
        foreach (var window in _windows)
        {
            spans.AddRange(window.Spans);
        }
    }

    /// <summary>Gives back the buffers of windows nobody decoded (a read that failed half-way); a window being decoded gives back its own.</summary>
    public void Dispose()
    {
        foreach (var window in _windows)
        {
            if (window.TryClaim())
            {
                window.Buffer.Release();
            }
        }

        _filling?.Buffer.Release();
        _filling = null;
    }

    private void Close(Window window)
    {
        _windows.Add(window);
        if (Volatile.Read(ref _handedOff) < _maxHandedOff)
        {
            Interlocked.Increment(ref _handedOff);
            window.Decoding = Task.Run(() =>
            {
                try
                {
                    if (window.TryClaim())
                    {
                        var decoder = _idleDecoders.TryTake(out var idle) ? idle : new SpanPayloadDecoder(_shared);
                        window.Decode(_traceId, decoder);
                        _idleDecoders.Add(decoder);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _handedOff);
                }
            });
        }
        else if (window.TryClaim())
        {
            window.Decode(_traceId, Decoder);
        }
    }

    /// <summary>A pooled buffer that goes back to the pool when the last window reading it is done.</summary>
    private sealed class SharedBuffer(int capacity)
    {
        private byte[]? _bytes = ArrayPool<byte>.Shared.Rent(capacity);
        private int _references = 1;

        public int Used { get; private set; }

        public ReadOnlySpan<byte> Span(int start, int length) => _bytes.AsSpan(start, length);

        public bool Fits(int length) => _bytes!.Length - Used >= length;

        public (int Start, int Length) Append(ReadOnlySpan<byte> bytes)
        {
            var start = Used;
            bytes.CopyTo(_bytes.AsSpan(start));
            Used += bytes.Length;
            return (start, bytes.Length);
        }

        public void AddReference() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0 && Interlocked.Exchange(ref _bytes, null) is { } bytes)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>
    /// Span records of one chunk: a whole chunk (no <see cref="Header"/>: it is read from the bytes) or a run of a large
    /// chunk's records, whose header was read when the chunk was cut.
    /// </summary>
    private readonly record struct Run(int Start, int Length, int SpanCount, SpanPayloadDecoder.ChunkHeader? Header);

    /// <summary>Runs of span records in one buffer, decoded together by one thread, and the spans decoded from them.</summary>
    private sealed class Window
    {
        private readonly List<Run> _runs = [];

        /// <summary>A window to copy whole chunks into; it owns <paramref name="buffer"/>'s first reference.</summary>
        public Window(SharedBuffer buffer) => Buffer = buffer;

        /// <summary>A window of one run of a large chunk's records, with a reference of its own to the chunk's buffer.</summary>
        public Window(SharedBuffer buffer, Run run)
        {
            buffer.AddReference();
            Buffer = buffer;
            _runs.Add(run);
        }

        public SharedBuffer Buffer { get; }

        public List<Span> Spans { get; } = [];

        private int _claimed;

        public Task? Decoding { get; set; }

        /// <summary>Whether the caller is the one thread to decode this window (the reader or the thread it was handed to).</summary>
        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

        /// <summary>Why decoding failed, rethrown on the reader's thread with its original stack.</summary>
        public ExceptionDispatchInfo? Failure { get; private set; }

        public void AddChunk(ReadOnlySpan<byte> chunk)
        {
            var (start, length) = Buffer.Append(chunk);
            _runs.Add(new Run(start, length, 0, null));
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any failure is kept and rethrown on the reader's thread, which reports it as its own.")]
        public void Decode(string traceId, SpanPayloadDecoder decoder)
        {
            try
            {
                foreach (var run in _runs)
                {
                    var bytes = Buffer.Span(run.Start, run.Length);
                    if (run.Header is { } header)
                    {
                        decoder.DecodeSpans(traceId, bytes, run.SpanCount, header, Spans);
                    }
                    else
                    {
                        decoder.DecodeChunk(traceId, bytes, Spans);
                    }
                }
            }
            catch (Exception ex)
            {
                Failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                Buffer.Release();
            }
        }
    }
}
