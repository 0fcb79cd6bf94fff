using System.Text;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Redacts text that arrives in pieces (a model's streamed reply) without letting a secret through at a piece boundary:
/// text is held back until a cut is safe, that is a line break, or whitespace between two ordinary words (not after an
/// auth scheme such as <c>Bearer</c>, nor next to <c>=</c>/<c>:</c>, nor inside a digit group), and a private key block is
/// held until it ends. Each released piece is redacted whole with the same rules as the prompt.
/// </summary>
public sealed class StreamingRedactor(SecretRedactor redactor)
{
    /// <summary>Held text past which a cut at any safe whitespace is taken, so a long line still streams.</summary>
    private const int SoftLimit = 256;

    private static readonly string[] Schemes = ["bearer", "basic", "token", "digest"];

    private readonly StringBuilder _pending = new();

    /// <summary>Adds a piece; returns the redacted text now safe to release (possibly empty).</summary>
    public string Push(string text)
    {
        _pending.Append(text);
        var pending = _pending.ToString();
        if (pending.Contains("-----BEGIN", StringComparison.Ordinal) && !pending.Contains("-----END", StringComparison.Ordinal))
        {
            return "";
        }

        var cut = pending.LastIndexOf('\n') + 1;
        if (pending.Length - cut > SoftLimit)
        {
            cut = Math.Max(cut, LastSafeWhitespace(pending, cut));
        }

        if (cut <= 0)
        {
            return "";
        }

        _pending.Remove(0, cut);
        return redactor.Redact(pending[..cut]);
    }

    /// <summary>The rest of the text, redacted; call once the stream has ended.</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return redactor.Redact(rest);
    }

    /// <summary>The end of the last whitespace run after <paramref name="from"/> at which the text may be split, or 0.</summary>
    private static int LastSafeWhitespace(string text, int from)
    {
        for (var i = text.Length - 1; i > from; i--)
        {
            if (!char.IsWhiteSpace(text[i - 1]) || char.IsWhiteSpace(text[i]))
            {
                continue;
            }

            var start = i - 1;
            while (start > from && char.IsWhiteSpace(text[start - 1]))
            {
                start--;
            }

            if (start == from)
            {
                continue;
            }

            var before = text[start - 1];
            var after = text[i];
            var wordStart = start;
            while (wordStart > from && !char.IsWhiteSpace(text[wordStart - 1]))
            {
                wordStart--;
            }

            var word = text[wordStart..start];
            var joined = before is '=' or ':' || after is '=' or ':' || (char.IsAsciiDigit(before) && char.IsAsciiDigit(after))
                || Schemes.Any(s => word.Equals(s, StringComparison.OrdinalIgnoreCase));
            if (!joined)
            {
                return i;
            }
        }

        return 0;
    }
}
