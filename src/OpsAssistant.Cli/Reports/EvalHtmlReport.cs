using System.Globalization;
using System.Net;
using System.Text;

using OpsAssistant.Core.Evaluation;

namespace OpsAssistant.Cli.Reports;

/// <summary>
/// Renders the eval report as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets, so it
/// can be attached to a CI run or mailed and still open anywhere. Every trace- or label-derived string is HTML-encoded:
/// span names come from whoever instrumented the traced service. Presentation, so it lives with the CLI that writes it,
/// not in Core.
/// </summary>
internal static class EvalHtmlReport
{
    private const string Top1Colour = "#2f6fdf";
    private const string Top3Colour = "#9dbcf2";
    private const string TokenColour = "#7a5cc7";

    public static string Render(EvalReport report, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16_384);
        var heading = title ?? "OpsAssistant eval";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(heading)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(E(heading)).Append("</h1><p class=\"sub\">")
            .Append(E(report.SummaryLine())).Append("</p></header>\n");

        AppendHeadline(html, report);

        html.Append("<section class=\"charts\">\n<div class=\"panel\"><h2>Accuracy by category</h2>")
            .Append("<p class=\"legend\"><span class=\"sw\" style=\"background:").Append(Top1Colour).Append("\"></span>top-1 ")
            .Append("<span class=\"sw\" style=\"background:").Append(Top3Colour).Append("\"></span>top-3</p>\n");
        // Accuracy is over cases with a cause: an all-healthy category has no bar to draw (its false alarms are listed below).
        AppendAccuracyChart(html, [.. report.Categories.Where(c => c.Cases > c.Healthy)]);
        html.Append("</div>\n<div class=\"panel\"><h2>Mean prompt tokens by category</h2>\n");
        AppendTokenChart(html, report.Categories);
        html.Append("</div>\n</section>\n");

        AppendCategoryTable(html, "Per category", report.Categories);
        AppendInvariance(html, report);
        AppendMisses(html, report.Results);
        AppendFalseAlarms(html, report);
        if (report.Families.Count > 0 && report.Families.Count != report.Categories.Count)
        {
            AppendCategoryTable(html, "Per family", report.Families);
        }

        AppendAllResults(html, report.Results);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendHeadline(StringBuilder html, EvalReport report)
    {
        html.Append("<section class=\"cards\">\n");
        Card(html, "cases", report.Cases.ToString(CultureInfo.InvariantCulture), null);
        Card(html, "top-1", Pct(report.Top1), report.Top1);
        Card(html, "top-3", Pct(report.Top3), report.Top3);
        Card(html, "MRR", F(report.Mrr, "0.000"), report.Mrr);
        Card(html, "abstained", report.Abstained.ToString(CultureInfo.InvariantCulture), null);
        Card(html, "false alarms / healthy", report.FalseAlarms.ToString(CultureInfo.InvariantCulture) + " / " + report.Healthy.ToString(CultureInfo.InvariantCulture),
            null, report.FalseAlarms > 0 ? "bad" : null);
        Card(html, "calibration error (ECE)", F(report.Ece, "0.000"), null, report.Ece > 0.1 ? "bad" : null);
        if (report.Invariance is { Count: > 0 } invariance)
        {
            var min = invariance.Values.Min();
            Card(html, "lowest invariance", Pct(min), min, min < 1 ? "bad" : null);
        }

        Card(html, "errored", report.Errored.ToString(CultureInfo.InvariantCulture), null, report.Errored > 0 ? "bad" : null);
        Card(html, "mean prompt tokens", F(report.MeanPromptTokens, "0"), null);
        Card(html, "mean LLM tokens in / out", F(report.MeanInputTokens, "0") + " / " + F(report.MeanOutputTokens, "0"), null);
        Card(html, "mean elapsed", F(report.MeanElapsedMs, "0.0") + " ms", null);
        html.Append("</section>\n");
    }

    private static void Card(StringBuilder html, string label, string value, double? fraction, string? cls = null)
    {
        html.Append("<div class=\"card").Append(cls is null ? "" : " " + cls).Append("\"><div class=\"v\">").Append(E(value))
            .Append("</div><div class=\"l\">").Append(E(label)).Append("</div>");
        if (fraction is { } f)
        {
            html.Append("<div class=\"meter\"><div style=\"width:").Append(F(Math.Clamp(f, 0, 1) * 100, "0.#")).Append("%\"></div></div>");
        }

        html.Append("</div>\n");
    }

    private static void AppendAccuracyChart(StringBuilder html, IReadOnlyList<EvalCategorySummary> categories)
    {
        const int labelWidth = 150, barMax = 360, rowHeight = 34, barHeight = 12;
        var height = Math.Max(1, categories.Count) * rowHeight + 30;
        html.Append("<svg role=\"img\" aria-label=\"top-1 and top-3 accuracy per category\" width=\"").Append(labelWidth + barMax + 70)
            .Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ").Append(labelWidth + barMax + 70).Append(' ').Append(height)
            .Append("\">\n");
        foreach (var tick in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            var x = labelWidth + tick * barMax;
            html.Append("<line x1=\"").Append(F(x, "0.#")).Append("\" y1=\"0\" x2=\"").Append(F(x, "0.#")).Append("\" y2=\"").Append(height - 20)
                .Append("\" class=\"grid\"/><text x=\"").Append(F(x, "0.#")).Append("\" y=\"").Append(height - 6)
                .Append("\" class=\"tick\" text-anchor=\"middle\">").Append(F(tick * 100, "0")).Append("%</text>\n");
        }

        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            var y = i * rowHeight + 4;
            html.Append("<text x=\"").Append(labelWidth - 8).Append("\" y=\"").Append(y + barHeight + 4)
                .Append("\" class=\"lab\" text-anchor=\"end\">").Append(E(c.Category)).Append(" (").Append(c.Cases).Append(")</text>\n");
            Bar(html, labelWidth, y, c.Top1 * barMax, barHeight, Top1Colour, $"{c.Category} top-1 {Pct(c.Top1)}");
            Bar(html, labelWidth, y + barHeight + 2, c.Top3 * barMax, barHeight, Top3Colour, $"{c.Category} top-3 {Pct(c.Top3)}");
            html.Append("<text x=\"").Append(F(labelWidth + c.Top1 * barMax + 6, "0.#")).Append("\" y=\"").Append(y + barHeight - 2)
                .Append("\" class=\"val\">").Append(Pct(c.Top1)).Append("</text>\n");
            html.Append("<text x=\"").Append(F(labelWidth + c.Top3 * barMax + 6, "0.#")).Append("\" y=\"").Append(y + 2 * barHeight)
                .Append("\" class=\"val dim\">").Append(Pct(c.Top3)).Append("</text>\n");
        }

        html.Append("</svg>\n");
    }

    private static void AppendTokenChart(StringBuilder html, IReadOnlyList<EvalCategorySummary> categories)
    {
        const int labelWidth = 150, barMax = 330, rowHeight = 34, barHeight = 18;
        var max = categories.Count == 0 ? 0 : categories.Max(c => c.MeanPromptTokens);
        var height = Math.Max(1, categories.Count) * rowHeight + 10;
        html.Append("<svg role=\"img\" aria-label=\"mean prompt tokens per category\" width=\"").Append(labelWidth + barMax + 90)
            .Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ").Append(labelWidth + barMax + 90).Append(' ').Append(height)
            .Append("\">\n");
        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            var y = i * rowHeight + 6;
            var width = max > 0 ? c.MeanPromptTokens / max * barMax : 0;
            html.Append("<text x=\"").Append(labelWidth - 8).Append("\" y=\"").Append(y + 14)
                .Append("\" class=\"lab\" text-anchor=\"end\">").Append(E(c.Category)).Append("</text>\n");
            Bar(html, labelWidth, y, width, barHeight, TokenColour, $"{c.Category} mean prompt tokens {F(c.MeanPromptTokens, "0")}");
            html.Append("<text x=\"").Append(F(labelWidth + width + 6, "0.#")).Append("\" y=\"").Append(y + 14)
                .Append("\" class=\"val\">").Append(F(c.MeanPromptTokens, "#,0")).Append("</text>\n");
        }

        if (max <= 0)
        {
            html.Append("<text x=\"").Append(labelWidth).Append("\" y=\"").Append(height - 4)
                .Append("\" class=\"tick\">no prompt sizes were reported</text>\n");
        }

        html.Append("</svg>\n");
    }

    private static void Bar(StringBuilder html, double x, double y, double width, double height, string colour, string tooltip) =>
        html.Append("<rect x=\"").Append(F(x, "0.#")).Append("\" y=\"").Append(F(y, "0.#")).Append("\" width=\"").Append(F(Math.Max(width, 0), "0.#"))
            .Append("\" height=\"").Append(F(height, "0.#")).Append("\" rx=\"2\" fill=\"").Append(colour).Append("\"><title>")
            .Append(E(tooltip)).Append("</title></rect>\n");

    private static void AppendCategoryTable(StringBuilder html, string heading, IReadOnlyList<EvalCategorySummary> categories)
    {
        html.Append("<section><h2>").Append(E(heading)).Append("</h2>\n<table>\n<thead><tr><th>group</th><th class=\"n\">cases</th><th class=\"n\">top-1</th>")
            .Append("<th class=\"n\">top-3</th><th class=\"n\">MRR</th><th class=\"n\">abstained</th><th class=\"n\">errored</th>")
            .Append("<th class=\"n\">false alarms</th><th class=\"n\">mean prompt tokens</th><th class=\"n\">mean ms</th></tr></thead>\n<tbody>\n");
        foreach (var c in categories)
        {
            var scored = c.Cases > c.Healthy;
            html.Append("<tr><td>").Append(E(c.Category)).Append("</td><td class=\"n\">").Append(c.Cases)
                .Append("</td><td class=\"n\">").Append(scored ? Pct(c.Top1) : "–").Append("</td><td class=\"n\">").Append(scored ? Pct(c.Top3) : "–")
                .Append("</td><td class=\"n\">").Append(scored ? F(c.Mrr, "0.000") : "–").Append("</td><td class=\"n\">").Append(c.Abstained)
                .Append("</td><td class=\"n\">").Append(c.Errored).Append("</td><td class=\"n\">")
                .Append(c.Healthy > 0 ? c.FalseAlarms.ToString(CultureInfo.InvariantCulture) + " / " + c.Healthy.ToString(CultureInfo.InvariantCulture) : "")
                .Append("</td><td class=\"n\">").Append(F(c.MeanPromptTokens, "#,0"))
                .Append("</td><td class=\"n\">").Append(F(c.MeanElapsedMs, "0.0")).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendMisses(StringBuilder html, IReadOnlyList<EvalCaseResult> results)
    {
        var misses = results.Where(r => !r.Healthy && r.Rank != 1 || r.Healthy && r.Errored).ToList();
        html.Append("<section><h2>Misses <span class=\"count\">").Append(misses.Count).Append("</span></h2>\n");
        if (misses.Count == 0)
        {
            html.Append("<p class=\"ok\">Every case ranked the expected root cause first.</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"hint\">Every case whose expected root cause was not ranked first, including errored cases (healthy cases are under false alarms).</p>\n")
            .Append("<table>\n<thead><tr><th>case</th><th>category</th><th class=\"n\">rank</th><th>expected service / span</th>")
            .Append("<th>predicted service / operation</th><th>top hypothesis</th></tr></thead>\n<tbody>\n");
        foreach (var r in misses)
        {
            html.Append("<tr").Append(r.Errored ? " class=\"err\"" : "").Append("><td class=\"mono\">").Append(E(r.Case))
                .Append("</td><td>").Append(E(r.Category)).Append("</td><td class=\"n\">")
                .Append(r.Rank is { } rank ? rank.ToString(CultureInfo.InvariantCulture) : "–").Append("</td><td class=\"mono\">")
                .Append(E(r.Healthy ? "healthy" : r.Expected is null ? "?" : r.Expected.Service + " / " + (r.Expected.Span ?? "*"))).Append("</td><td class=\"mono\">");
            if (r.Errored)
            {
                html.Append("<span class=\"bad\">error</span></td><td>").Append(E(r.Error)).Append("</td></tr>\n");
                continue;
            }

            html.Append(r.Service is null && r.Operation is null ? "<span class=\"dim\">no hypothesis</span>" : E((r.Service ?? "?") + " / " + (r.Operation ?? "?")))
                .Append("</td><td>");
            if (r.PredictedCategory is not null)
            {
                html.Append("<span class=\"tag\">").Append(E(r.PredictedCategory)).Append("</span> ");
            }

            html.Append(E(r.TopTitle ?? "")).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendFalseAlarms(StringBuilder html, EvalReport report)
    {
        if (report.Healthy == 0)
        {
            return;
        }

        var alarms = report.Results.Where(r => r.FalseAlarm).ToList();
        html.Append("<section><h2>False alarms <span class=\"count\">").Append(alarms.Count).Append("</span></h2>\n");
        if (alarms.Count == 0)
        {
            html.Append("<p class=\"ok\">No healthy trace got a cause with confidence ≥ 0.5 (of ").Append(report.Healthy).Append(").</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"hint\">Healthy traces (nothing stands out) whose first hypothesis named a cause with confidence ≥ 0.5.</p>\n")
            .Append("<table>\n<thead><tr><th>case</th><th class=\"n\">confidence</th><th>named service / operation</th><th>top hypothesis</th></tr></thead>\n<tbody>\n");
        foreach (var r in alarms)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(r.Case)).Append("</td><td class=\"n\">").Append(F(r.Confidence ?? 0, "0.00"))
                .Append("</td><td class=\"mono\">").Append(E((r.Service ?? "?") + " / " + (r.Operation ?? "?"))).Append("</td><td>")
                .Append("<span class=\"tag\">").Append(E(r.PredictedCategory)).Append("</span> ").Append(E(r.TopTitle)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendInvariance(StringBuilder html, EvalReport report)
    {
        if (report.Invariance is not { Count: > 0 } invariance)
        {
            return;
        }

        html.Append("<section><h2>Metamorphic invariance</h2>\n<p class=\"hint\">Share of cases whose rank-1 verdict each transformation left unchanged; it must be 100%.</p>\n")
            .Append("<table>\n<thead><tr><th>transformation</th><th class=\"n\">unchanged</th><th>changed cases (before → after)</th></tr></thead>\n<tbody>\n");
        foreach (var (name, rate) in invariance)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(name)).Append("</td><td class=\"n").Append(rate < 1 ? " bad" : " ok").Append("\">").Append(Pct(rate))
                .Append("</td><td class=\"mono\">");
            foreach (var f in (report.InvarianceFailures ?? []).Where(f => f.Transformation == name))
            {
                html.Append("<div>").Append(E(f.Case)).Append(": ").Append(E(f.Before)).Append(" → ").Append(E(f.After)).Append("</div>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendAllResults(StringBuilder html, IReadOnlyList<EvalCaseResult> results)
    {
        html.Append("<section><details><summary>All ").Append(results.Count).Append(" cases</summary>\n<table>\n<thead><tr><th>case</th>")
            .Append("<th>category</th><th>format</th><th class=\"n\">spans</th><th class=\"n\">rank</th><th class=\"n\">prompt tokens</th>")
            .Append("<th class=\"n\">ms</th></tr></thead>\n<tbody>\n");
        foreach (var r in results)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(r.Case)).Append("</td><td>").Append(E(r.Category)).Append("</td><td>")
                .Append(E(r.TraceFormat ?? "")).Append("</td><td class=\"n\">").Append(r.SpanCount).Append("</td><td class=\"n\">")
                .Append(r.Errored ? "error" : r.Rank is { } rank ? rank.ToString(CultureInfo.InvariantCulture) : "–")
                .Append("</td><td class=\"n\">").Append(r.PromptTokens).Append("</td><td class=\"n\">").Append(F(r.ElapsedMs, "0.0"))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</details></section>\n");
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => F(fraction * 100, "0.#") + "%";

    private const string Css = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; background: #f5f7fb; margin: 0; padding: 24px 32px 48px; }
        h1 { font-size: 24px; margin: 0; }
        h2 { font-size: 16px; margin: 0 0 10px; }
        header { margin-bottom: 18px; }
        .sub { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: #4a5568; margin: 4px 0 0; }
        section { margin: 0 0 22px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
        .card { background: #fff; border: 1px solid #dfe4ee; border-radius: 8px; padding: 12px 14px; }
        .card .v { font-size: 22px; font-weight: 650; }
        .card .l { color: #5b6577; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card.bad .v { color: #c53030; }
        .meter { height: 5px; background: #e6ebf4; border-radius: 3px; margin-top: 8px; overflow: hidden; }
        .meter div { height: 100%; background: #2f6fdf; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        .panel { background: #fff; border: 1px solid #dfe4ee; border-radius: 8px; padding: 14px 16px; flex: 1 1 480px; min-width: 0; }
        .panel svg { max-width: 100%; height: auto; }
        .legend { margin: -4px 0 6px; color: #5b6577; font-size: 12px; }
        .sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
        svg text { font: 12px system-ui, sans-serif; fill: #1d2433; }
        svg .tick { fill: #8a94a6; font-size: 11px; }
        svg .grid { stroke: #e6ebf4; stroke-width: 1; }
        svg .val { font-size: 11px; font-weight: 600; }
        svg .dim { fill: #6b7a93; font-weight: 400; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #dfe4ee; border-radius: 8px; overflow: hidden; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #edf0f5; vertical-align: top; }
        th { background: #eef2f8; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: #4a5568; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; word-break: break-word; }
        tr.err td { background: #fff5f5; }
        .bad { color: #c53030; font-weight: 600; }
        .dim { color: #8a94a6; }
        .ok { color: #2f855a; }
        .hint { color: #5b6577; margin: -4px 0 8px; }
        .count { background: #1d2433; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; margin-left: 4px; }
        .tag { display: inline-block; background: #eef2f8; border-radius: 4px; padding: 0 6px; font-size: 11.5px; color: #4a5568; }
        details summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }

        """;
}
