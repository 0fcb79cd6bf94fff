using System.Text;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Fits prompt sections into a token budget by priority: the most important lines of every section go in first, whatever
/// the trace size, and the output keeps each section's own order. Cost is linear in the number of candidate lines.
/// </summary>
public sealed class PromptCondenser(TokenCounter counter)
{
    public CondensedPrompt Condense(IReadOnlyList<PromptSection> sections, int budgetTokens)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var candidates = new List<(int Section, int Line, PromptLine Value, int Tokens)>();
        var headerTokens = new int[sections.Count];
        for (var s = 0; s < sections.Count; s++)
        {
            headerTokens[s] = counter.Count($"## {sections[s].Title}\n") + 1;
            for (var l = 0; l < sections[s].Lines.Count; l++)
            {
                var line = sections[s].Lines[l];
                candidates.Add((s, l, line, counter.Count(line.Text) + 1));
            }
        }

        // Stable order: priority first, then position, so equal-priority lines keep the analyser's ranking.
        candidates.Sort((a, b) => a.Value.Priority != b.Value.Priority ? a.Value.Priority.CompareTo(b.Value.Priority)
            : a.Section != b.Section ? a.Section.CompareTo(b.Section) : a.Line.CompareTo(b.Line));

        var chosen = new HashSet<(int, int)>();
        var sectionUsed = new bool[sections.Count];
        var used = counter.Count(OmissionNote(candidates.Count));
        foreach (var c in candidates)
        {
            var cost = c.Tokens + (sectionUsed[c.Section] ? 0 : headerTokens[c.Section]);
            if (used + cost > budgetTokens)
            {
                continue;
            }

            used += cost;
            sectionUsed[c.Section] = true;
            chosen.Add((c.Section, c.Line));
        }

        var text = Render(sections, chosen, candidates.Count - chosen.Count);
        var tokens = counter.Count(text);

        // Per-line counts are a close estimate of the joined text; if the join tipped it over, drop the least important lines.
        var byImportanceDesc = candidates.Where(c => chosen.Contains((c.Section, c.Line))).Reverse().ToList();
        var i = 0;
        while (tokens > budgetTokens && i < byImportanceDesc.Count)
        {
            chosen.Remove((byImportanceDesc[i].Section, byImportanceDesc[i].Line));
            i++;
            text = Render(sections, chosen, candidates.Count - chosen.Count);
            tokens = counter.Count(text);
        }

        var spanIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (s, l) in chosen)
        {
            spanIds.UnionWith(sections[s].Lines[l].SpanIds);
        }

        return new CondensedPrompt(text, tokens, spanIds, candidates.Count - chosen.Count);
    }

    private static string Render(IReadOnlyList<PromptSection> sections, HashSet<(int, int)> chosen, int omitted)
    {
        var sb = new StringBuilder();
        for (var s = 0; s < sections.Count; s++)
        {
            var header = false;
            for (var l = 0; l < sections[s].Lines.Count; l++)
            {
                if (!chosen.Contains((s, l)))
                {
                    continue;
                }

                if (!header)
                {
                    if (sb.Length > 0)
                    {
                        sb.Append('\n');
                    }

                    sb.Append("## ").Append(sections[s].Title).Append('\n');
                    header = true;
                }

                sb.Append(sections[s].Lines[l].Text).Append('\n');
            }
        }

        if (omitted > 0)
        {
            sb.Append('\n').Append(OmissionNote(omitted));
        }

        return sb.ToString();
    }

    private static string OmissionNote(int omitted) => $"({omitted} lower-priority items omitted to fit the token budget)\n";
}
