using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Counts tokens with the o200k_base encoding (GPT-4o family), the budget unit of <c>MaxPromptTokens</c>: the encoding's
/// pre-tokenising pattern splits the text into pieces, each piece is byte-pair merged by rank, and its count is the number
/// of parts left. Only the count is needed, so the vocabulary is a compact rank table (<see cref="O200kVocabulary"/>)
/// rather than a full tokenizer's encode and decode maps; a test checks the counts against Microsoft.ML.Tokenizers' own
/// o200k tokenizer.
/// </summary>
public sealed partial class TokenCounter
{
    /// <summary>o200k's special tokens: text that spells one counts as that single token, as the reference tokenizer does.</summary>
    private static readonly string[] SpecialTokens = ["<|endoftext|>", "<|endofprompt|>"];

    /// <summary>Pieces up to this many bytes are merged by rescanning; longer ones through a priority queue.</summary>
    private const int ScanLimit = 128;

    private static readonly Lazy<TokenCounter> Shared = new(() => new TokenCounter(O200kVocabulary.Load()));

    private readonly O200kVocabulary _vocabulary;

    private TokenCounter(O200kVocabulary vocabulary) => _vocabulary = vocabulary;

    /// <summary>The process-wide counter; the vocabulary is read once, on first use.</summary>
    public static TokenCounter O200k => Shared.Value;

    /// <summary>
    /// Starts reading the vocabulary on a pool thread, so a process that will need it (a CLI analysis, the service's first
    /// request) does so while it reads and analyses the trace; <see cref="O200k"/> waits for a load in progress.
    /// </summary>
    public static Task Preload() => Task.Run(() => Shared.Value);

    public int Count(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var rest = text.AsSpan();
        var count = 0;
        while (NextSpecial(rest, out var at, out var length))
        {
            count += CountOrdinary(rest[..at]) + 1;
            rest = rest[(at + length)..];
        }

        return count + CountOrdinary(rest);
    }

    private static bool NextSpecial(ReadOnlySpan<char> text, out int at, out int length)
    {
        at = -1;
        length = 0;
        foreach (var special in SpecialTokens)
        {
            var found = text.IndexOf(special, StringComparison.Ordinal);
            if (found >= 0 && (at < 0 || found < at))
            {
                at = found;
                length = special.Length;
            }
        }

        return at >= 0;
    }

    private int CountOrdinary(ReadOnlySpan<char> text)
    {
        var count = 0;
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var match in Pieces().EnumerateMatches(text))
        {
            var piece = text.Slice(match.Index, match.Length);
            var size = piece.Length * 3;
            if (size > buffer.Length)
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

                rented = ArrayPool<byte>.Shared.Rent(size);
                buffer = rented;
            }

            count += CountPiece(buffer[..ToUtf8(piece, buffer)]);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return count;
    }

    /// <summary>
    /// UTF-8, except that a lone surrogate becomes its own three-byte form rather than U+FFFD, as the reference tokenizer
    /// encodes it: trace content is untrusted and may hold any UTF-16.
    /// </summary>
    private static int ToUtf8(ReadOnlySpan<char> piece, Span<byte> buffer)
    {
        if (piece.IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            return Encoding.UTF8.GetBytes(piece, buffer);
        }

        var written = 0;
        for (var i = 0; i < piece.Length; i++)
        {
            int c = piece[i];
            if (char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
            {
                c = char.ConvertToUtf32(piece[i], piece[i + 1]);
                i++;
            }

            if (c < 0x80)
            {
                buffer[written++] = (byte)c;
            }
            else if (c < 0x800)
            {
                buffer[written++] = (byte)(0xC0 | (c >> 6));
                buffer[written++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c < 0x10000)
            {
                buffer[written++] = (byte)(0xE0 | (c >> 12));
                buffer[written++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                buffer[written++] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                buffer[written++] = (byte)(0xF0 | (c >> 18));
                buffer[written++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                buffer[written++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                buffer[written++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        return written;
    }

    /// <summary>
    /// Byte-pair merging of one piece: repeatedly join the adjacent pair whose joined bytes have the lowest rank (the
    /// leftmost on a tie) until no adjacent pair is a token; the parts left are the piece's tokens.
    /// </summary>
    private int CountPiece(ReadOnlySpan<byte> piece)
    {
        if (piece.Length == 1 || _vocabulary.Rank(piece) != int.MaxValue)
        {
            return 1;
        }

        return piece.Length <= ScanLimit ? CountByScan(piece) : CountByQueue(piece);
    }

    /// <summary>Short pieces (nearly all): rescan the pair ranks for the lowest after each join, in stack memory.</summary>
    private int CountByScan(ReadOnlySpan<byte> piece)
    {
        // starts: offsets of the current parts plus the end; ranks[i]: rank of parts i and i + 1 joined.
        var n = piece.Length;
        Span<int> scratch = stackalloc int[2 * (ScanLimit + 1)];
        var starts = scratch[..(n + 1)];
        var ranks = scratch[(n + 1)..(2 * (n + 1))];
        for (var i = 0; i <= n; i++)
        {
            starts[i] = i;
        }

        var parts = n + 1;
        for (var i = 0; i < parts; i++)
        {
            ranks[i] = PairRank(piece, starts, parts, i);
        }

        while (true)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < parts - 2; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }

            if (best < 0)
            {
                return parts - 1;
            }

            // Part best + 1 joins part best: drop its start, then re-rank the two pairs the join touched.
            starts[(best + 2)..parts].CopyTo(starts[(best + 1)..]);
            ranks[(best + 2)..parts].CopyTo(ranks[(best + 1)..]);
            parts--;
            ranks[best] = PairRank(piece, starts, parts, best);
            if (best > 0)
            {
                ranks[best - 1] = PairRank(piece, starts, parts, best - 1);
            }
        }
    }

    /// <summary>
    /// Long pieces (a hostile attribute value can be one word of megabytes): the same joins in the same order, found
    /// through a priority queue keyed by (rank, offset) over a linked list of parts, so the cost grows as n log n, not n².
    /// A queued pair whose rank no longer matches its part is stale and skipped.
    /// </summary>
    private int CountByQueue(ReadOnlySpan<byte> piece)
    {
        var n = piece.Length;

        // A part is named by its first byte's offset; next[k] is where the following part starts (n after the last).
        var next = ArrayPool<int>.Shared.Rent(n);
        var previous = ArrayPool<int>.Shared.Rent(n);
        var ranks = ArrayPool<int>.Shared.Rent(n);
        var queue = new PriorityQueue<int, long>(n);
        try
        {
            for (var k = 0; k < n; k++)
            {
                next[k] = k + 1;
                previous[k] = k - 1;
                ranks[k] = k + 1 < n ? _vocabulary.Rank(piece[k..(k + 2)]) : int.MaxValue;
                if (ranks[k] != int.MaxValue)
                {
                    queue.Enqueue(k, Key(ranks[k], k));
                }
            }

            var parts = n;
            while (queue.TryDequeue(out var k, out var key))
            {
                if (ranks[k] != (int)(key >> 32))
                {
                    continue;
                }

                // The part after k joins k; a joined part's own queued pairs then no longer match its rank (none).
                var joined = next[k];
                next[k] = next[joined];
                if (next[k] < n)
                {
                    previous[next[k]] = k;
                }

                ranks[joined] = -1;
                parts--;
                ranks[k] = next[k] < n ? _vocabulary.Rank(piece[k..next[next[k]]]) : int.MaxValue;
                if (ranks[k] != int.MaxValue)
                {
                    queue.Enqueue(k, Key(ranks[k], k));
                }

                if (previous[k] is var before and >= 0)
                {
                    ranks[before] = _vocabulary.Rank(piece[before..next[k]]);
                    if (ranks[before] != int.MaxValue)
                    {
                        queue.Enqueue(before, Key(ranks[before], before));
                    }
                }
            }

            return parts;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(previous);
            ArrayPool<int>.Shared.Return(ranks);
        }

        static long Key(int rank, int offset) => ((long)rank << 32) | (uint)offset;
    }

    /// <summary>The rank of parts <paramref name="i"/> and <paramref name="i"/> + 1 joined; none past the last part.</summary>
    private int PairRank(ReadOnlySpan<byte> piece, ReadOnlySpan<int> starts, int parts, int i) =>
        i + 2 < parts ? _vocabulary.Rank(piece[starts[i]..starts[i + 2]]) : int.MaxValue;

    /// <summary>o200k_base's pre-tokenising pattern, as published with the encoding.</summary>
    [GeneratedRegex(@"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex Pieces();
}
