using System.Buffers;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// The whole input, read asynchronously into pooled chunks and exposed as one <see cref="ReadOnlySequence{T}"/>.
/// Chunks are never copied into a bigger array when the input grows (the usual doubling buffer would copy a
/// 100 MB body several times); the JSON reader walks the chunk chain directly, so the bytes exist exactly once.
/// </summary>
internal sealed class BufferedInput : IDisposable
{
    private const int FirstChunk = 16 * 1024;
    private const int LargestChunk = 4 * 1024 * 1024;

    private readonly List<byte[]> _rented = [];
    private Chunk? _first;
    private Chunk? _last;

    private BufferedInput()
    {
    }

    public ReadOnlySequence<byte> Sequence { get; private set; }

    public static async Task<BufferedInput> ReadAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var input = new BufferedInput();
        try
        {
            var size = FirstChunk;
            if (stream.CanSeek)
            {
                // A seekable stream says how much is left: one chunk that fits it avoids a chain altogether.
                var remaining = stream.Length - stream.Position;
                size = (int)Math.Clamp(remaining + 1, 1, Array.MaxLength);
            }

            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                input._rented.Add(buffer);
                var filled = 0;
                while (filled < buffer.Length)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    filled += n;
                }

                if (filled > 0)
                {
                    input.Append(buffer, filled);
                }

                if (filled < buffer.Length)
                {
                    break;
                }

                size = Math.Min(size * 2, LargestChunk);
                size = Math.Max(size, FirstChunk);
            }

            input.Sequence = input._first is null
                ? ReadOnlySequence<byte>.Empty
                : new ReadOnlySequence<byte>(input._first, 0, input._last!, input._last!.Memory.Length);
            return input;
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var buffer in _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _rented.Clear();
        _first = _last = null;
        Sequence = ReadOnlySequence<byte>.Empty;
    }

    private void Append(byte[] buffer, int length)
    {
        var chunk = new Chunk(buffer.AsMemory(0, length));
        if (_last is null)
        {
            _first = _last = chunk;
        }
        else
        {
            _last.SetNext(chunk);
            _last = chunk;
        }
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory)
        {
            Memory = memory;
        }

        public void SetNext(Chunk next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
