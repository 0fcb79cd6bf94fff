using System.Buffers.Text;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// The o200k_base byte-pair ranks as one byte arena and an open-addressing table of ints. Counting needs nothing but
/// "rank of these bytes", so the vocabulary is loaded straight from the published data package without the strings and
/// dictionaries a general tokenizer builds for encoding and decoding: a few milliseconds instead of most of a small CLI
/// analysis's start-up.
/// </summary>
internal sealed class O200kVocabulary
{
    /// <summary>
    /// The data package's resource, deflated: an optional <c>Capacity: N</c> line, then a line per token in rank order,
    /// its bytes in base64, optionally followed by its rank (the tiktoken file format).
    /// </summary>
    private const string ResourceName = "o200k_base.tiktoken.deflate";

    /// <summary>
    /// The data package's one type is internal; a constant name in <see cref="Type.GetType(string, bool)"/> is what keeps
    /// its assembly, and so the resource, in a trimmed or native build.
    /// </summary>
    private const string DataTypeName = "Microsoft.ML.Tokenizers.O200kBaseTokenizerData, Microsoft.ML.Tokenizers.Data.O200kBase";

    private readonly byte[] _arena;
    private readonly int[] _offsets;
    private readonly int[] _ranks;
    private readonly int[] _slots;
    private readonly int _mask;

    private O200kVocabulary(byte[] arena, int[] offsets, int[] ranks, int count)
    {
        _arena = arena;
        _offsets = offsets;
        _ranks = ranks;
        Count = count;

        // Load factor at most one half keeps linear probing short; slot value is token index + 1, 0 is empty.
        var size = 1 << (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(count * 2)));
        _slots = new int[size];
        _mask = size - 1;
        for (var i = 0; i < count; i++)
        {
            var slot = Hash(Token(i)) & _mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = i + 1;
        }
    }

    /// <summary>Tokens in the vocabulary (special tokens excluded).</summary>
    public int Count { get; }

    public static O200kVocabulary Load()
    {
        var data = Type.GetType(DataTypeName, throwOnError: true)!.Assembly;
        using var resource = data.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The o200k vocabulary resource '{ResourceName}' is missing from {data.GetName().Name}.");
        using var inflated = new DeflateStream(resource, CompressionMode.Decompress);
        using var text = new MemoryStream(4 << 20);
        inflated.CopyTo(text);
        var lines = text.GetBuffer().AsSpan(0, (int)text.Length);

        // Decoded tokens are shorter than their base64 lines, so the text's length bounds the arena.
        var arena = new byte[lines.Length];
        var offsets = new List<int>(200_064) { 0 };
        var ranks = new List<int>(200_064);
        var written = 0;
        var nextRank = 0;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = (end < 0 ? lines : lines[..end]).TrimEnd((byte)'\r');
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.IsEmpty || (ranks.Count == 0 && line.StartsWith("Capacity:"u8)))
            {
                continue;
            }

            var space = line.IndexOf((byte)' ');
            var token = space < 0 ? line : line[..space];
            var rank = nextRank;
            if (Base64.DecodeFromUtf8(token, arena.AsSpan(written), out _, out var decoded) != System.Buffers.OperationStatus.Done
                || decoded == 0
                || (space >= 0 && !Utf8Parser.TryParse(line[(space + 1)..], out rank, out _)))
            {
                throw new InvalidDataException($"The o200k vocabulary resource has a malformed line after {ranks.Count} tokens.");
            }

            written += decoded;
            offsets.Add(written);
            ranks.Add(rank);
            nextRank = rank + 1;
        }

        return new O200kVocabulary(arena, [.. offsets], [.. ranks], ranks.Count);
    }

    /// <summary>The rank of exactly these bytes, or <see cref="int.MaxValue"/> when they are not one token.</summary>
    public int Rank(ReadOnlySpan<byte> bytes)
    {
        var slot = Hash(bytes) & _mask;
        while (_slots[slot] is var entry and not 0)
        {
            if (Token(entry - 1).SequenceEqual(bytes))
            {
                return _ranks[entry - 1];
            }

            slot = (slot + 1) & _mask;
        }

        return int.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Token(int index) => _arena.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>FNV-1a: tokens are short, and the table only needs a spread that is the same in every process.</summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        // Fold the high bits in: the mask keeps only the low ones.
        return (int)(hash ^ (hash >> 15));
    }
}
