using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpsAssistant.Core.Analyses;

namespace OpsAssistant.Server.Notifications;

/// <summary>
/// Renders a finished analysis as the configured body. Hypothesis text comes from trace content, which is untrusted, so the
/// Slack and Teams forms escape it: a span name cannot ping a channel or smuggle a link.
/// </summary>
internal static class NotificationMessage
{
    /// <summary>Hypotheses included in a message: enough to act on, short enough to read on a phone.</summary>
    public const int MaxHypotheses = 3;

    public static JsonObject Render(AnalysisRecord analysis, NotificationFormat format, Uri? publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        // The page, not the JSON API: an operator follows the link in a browser, where the API would answer 401 once keys are set.
        var link = publicBaseUrl is null ? null : new Uri(publicBaseUrl, $"?analysisId={Uri.EscapeDataString(analysis.Id)}").ToString();
        return format switch
        {
            NotificationFormat.Slack => Slack(analysis, link),
            NotificationFormat.Teams => TeamsCard.Render(analysis, link),
            _ => Json(analysis, link),
        };
    }

    private static JsonObject Json(AnalysisRecord analysis, string? link)
    {
        var hypotheses = new JsonArray();
        foreach (var hypothesis in analysis.Result?.Hypotheses.Take(MaxHypotheses) ?? [])
        {
            hypotheses.Add(new JsonObject
            {
                ["rank"] = hypothesis.Rank,
                ["title"] = hypothesis.Title,
                ["category"] = hypothesis.Category,
                ["confidence"] = hypothesis.Confidence,
                ["service"] = hypothesis.Service,
                ["operation"] = hypothesis.Operation,
                ["spanIds"] = new JsonArray([.. hypothesis.SpanIds.Select(id => (JsonNode?)JsonValue.Create(id))]),
                ["remediation"] = hypothesis.Remediation,
            });
        }

        return new JsonObject
        {
            ["analysisId"] = analysis.Id,
            ["traceId"] = analysis.TraceId,
            ["status"] = analysis.Status.ToString().ToLowerInvariant(),
            ["origin"] = analysis.Origin,
            ["subject"] = analysis.Subject,
            ["completedAt"] = analysis.CompletedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["error"] = analysis.Error,
            ["summary"] = analysis.Result?.Summary,
            ["engine"] = analysis.Result?.Engine,
            ["degraded"] = analysis.Result?.Degraded,
            ["hypotheses"] = hypotheses,
            ["link"] = link,
        };
    }

    private static JsonObject Slack(AnalysisRecord analysis, string? link)
    {
        var text = new StringBuilder();
        var subject = Escape(analysis.Subject ?? "alert");
        text.Append(CultureInfo.InvariantCulture, $"*Root-cause analysis: {subject}* ({Escape(analysis.Origin)}), trace `{Escape(analysis.TraceId)}`\n");
        if (analysis.Status == AnalysisStatus.Failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"Analysis failed: {Escape(analysis.Error ?? "unknown error")}\n");
        }

        foreach (var hypothesis in analysis.Result?.Hypotheses.Take(MaxHypotheses) ?? [])
        {
            var where = string.Join(' ', new[] { hypothesis.Service, hypothesis.Operation }.Where(part => !string.IsNullOrEmpty(part)));
            text.Append(CultureInfo.InvariantCulture,
                $"{hypothesis.Rank}. *{Escape(hypothesis.Title)}* [{Escape(hypothesis.Category)}, {hypothesis.Confidence:P0}] {Escape(where)}\n");
            if (!string.IsNullOrWhiteSpace(hypothesis.Remediation))
            {
                text.Append(CultureInfo.InvariantCulture, $"    fix: {Escape(hypothesis.Remediation)}\n");
            }
        }

        if (analysis.Result?.Degraded is { } degraded)
        {
            text.Append(CultureInfo.InvariantCulture, $"_LLM not used: {Escape(degraded)}_\n");
        }

        if (link is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"<{link}|Open the analysis>");
        }

        return new JsonObject { ["text"] = text.ToString().TrimEnd() };
    }

    /// <summary>Slack's three control characters; with them escaped, <c>&lt;!channel&gt;</c> and links in data print as text.</summary>
    internal static string Escape(string value) => value.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
