using System.Globalization;
using System.Text;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Makes untrusted text safe for a line-oriented sink (a log line, a terminal): CR/LF would forge log lines, ESC sequences
/// clear screens or disguise hyperlinks, bidirectional overrides reorder what a reader sees. Such characters become visible
/// escapes (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1B</c>, <c>\u202E</c>); everything else is kept.
/// </summary>
public static class ControlCharacters
{
    public static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';

    /// <summary>A result whose free text is safe for a terminal: summary, titles, suspects, evidence, remediation, warnings.</summary>
    public static AnalysisResult Escape(AnalysisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result with
        {
            Summary = Escape(result.Summary),
            Degraded = result.Degraded is null ? null : Escape(result.Degraded),
            Model = result.Model is null ? null : Escape(result.Model),
            Warnings = result.Warnings is null ? null : [.. result.Warnings.Select(w => Escape(w))],
            Hypotheses = [.. result.Hypotheses.Select(h => h with
            {
                Title = Escape(h.Title),
                Category = Escape(h.Category),
                Service = h.Service is null ? null : Escape(h.Service),
                Operation = h.Operation is null ? null : Escape(h.Operation),
                Evidence = [.. h.Evidence.Select(e => Escape(e))],
                Remediation = Escape(h.Remediation),
            })],
        };
    }

    /// <summary>The text with every unsafe character escaped; line breaks too unless <paramref name="keepNewLines"/>.</summary>
    public static string Escape(string? text, bool keepNewLines = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var i = 0;
        while (i < text.Length && (!IsUnsafe(text[i]) || (keepNewLines && text[i] == '\n')))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsUnsafe(c) || (keepNewLines && c == '\n'))
            {
                sb.Append(c);
                continue;
            }

            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }

        return sb.ToString();
    }
}
