using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpsAssistant.Core.Analyses;

namespace OpsAssistant.Server.Notifications;

/// <summary>
/// A finished analysis as the body a Teams Workflows webhook takes: <c>{"type": "message", "attachments": [{"contentType":
/// "application/vnd.microsoft.card.adaptive", "content": &lt;Adaptive Card&gt;}]}</c>. Card text is Markdown to Teams, so
/// text from the trace or the alert has Markdown's punctuation escaped: a span name cannot add a link, emphasis or a
/// heading, and <c>&lt;at&gt;</c> prints as text.
/// </summary>
internal static class TeamsCard
{
    private const string MarkdownPunctuation = "\\`*_{}[]()<>#+!|~";

    public static JsonObject Render(AnalysisRecord analysis, string? link)
    {
        var body = new JsonArray
        {
            Text($"Root-cause analysis: {Escape(analysis.Subject ?? "alert")}", weight: "Bolder", size: "Medium"),
            Text($"{Escape(analysis.Origin)} · trace {Escape(analysis.TraceId)}", subtle: true),
        };
        if (analysis.Status == AnalysisStatus.Failed)
        {
            body.Add(Text($"Analysis failed: {Escape(analysis.Error ?? "unknown error")}", color: "Attention"));
        }

        foreach (var hypothesis in analysis.Result?.Hypotheses.Take(NotificationMessage.MaxHypotheses) ?? [])
        {
            var where = string.Join(' ', new[] { hypothesis.Service, hypothesis.Operation }.Where(part => !string.IsNullOrEmpty(part)));
            body.Add(Text(string.Create(CultureInfo.InvariantCulture,
                $"{hypothesis.Rank}\\. **{Escape(hypothesis.Title)}** \\[{Escape(hypothesis.Category)}, {hypothesis.Confidence:P0}\\] {Escape(where)}")));
            if (!string.IsNullOrWhiteSpace(hypothesis.Remediation))
            {
                body.Add(Text($"Fix: {Escape(hypothesis.Remediation)}", subtle: true));
            }
        }

        if (analysis.Result?.Degraded is { } degraded)
        {
            body.Add(Text($"LLM not used: {Escape(degraded)}", subtle: true));
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (link is not null)
        {
            card["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open the analysis", ["url"] = link } };
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>Backslash before Markdown's punctuation; line breaks become spaces so data cannot start a list or heading.</summary>
    internal static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '\r' or '\n')
            {
                escaped.Append(' ');
                continue;
            }

            if (MarkdownPunctuation.Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static JsonObject Text(string text, string? weight = null, string? size = null, bool subtle = false, string? color = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (weight is not null)
        {
            block["weight"] = weight;
        }

        if (size is not null)
        {
            block["size"] = size;
        }

        if (subtle)
        {
            block["isSubtle"] = true;
        }

        if (color is not null)
        {
            block["color"] = color;
        }

        return block;
    }
}
