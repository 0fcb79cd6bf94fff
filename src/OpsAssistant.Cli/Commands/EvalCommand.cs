using System.CommandLine;
using System.Globalization;
using OpsAssistant.Cli.Reports;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Evaluation.Incidents;
using OpsAssistant.Core.Evaluation.Metamorphic;
using OpsAssistant.Core.Results;
using Spectre.Console;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// <c>opsassistant eval &lt;cases-dir&gt; [--no-llm] [--report r.json] [--html r.html] [--metamorphic]</c> (docs/cli.md). Exit codes:
/// 0 when the run completed (misses are results, not failures), 2 on bad input (no such directory, no cases), 1 otherwise.
/// The regression gate lives in <c>.ci/eval-gate</c>, not here, so the verb stays a measuring tool.
/// </summary>
internal static class EvalCommand
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static Command Create(EvalServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var casesDir = new Argument<string>("cases-dir") { Description = "Directory holding one sub-directory per case (trace.json + expected.json)." };
        var noLlm = new Option<bool>("--no-llm") { Description = "Use the deterministic heuristic engine only, even when an LLM is configured." };
        var report = new Option<string?>("--report") { Description = "Write the JSON eval report to this file." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report to this file." };
        var record = new Option<string?>("--record") { Description = "Save every LLM exchange to this directory, so the run can be replayed offline." };
        var replay = new Option<string?>("--replay") { Description = "Answer LLM calls from a directory saved with --record (no network, no API key)." };
        var metamorphic = new Option<bool>("--metamorphic")
        {
            Description = "Also apply every metamorphic transformation to every case (renaming, time shift, each wire format, jitter, healthy noise, "
                + "span order, no span kinds, old/current attribute names) and report how often the rank-1 verdict stayed the same.",
        };
        var incidents = new Option<string?>("--incidents")
        {
            Description = "Also run the incident cases under this directory (previous.json + current.json + expected.json each) and report top-1 on the changed dimension.",
        };
        var command = new Command("eval", "Run the offline eval set and score the ranked hypotheses against the labels.")
        {
            casesDir, noLlm, report, html, record, replay, metamorphic, incidents,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(record) is not null && result.GetValue(replay) is not null)
            {
                result.AddError("--record and --replay cannot be used together.");
            }
        });
        command.SetAction((parse, ct) => RunAsync(
            services, parse.GetValue(casesDir)!, parse.GetValue(noLlm), parse.GetValue(report), parse.GetValue(html), ct,
            parse.GetValue(record), parse.GetValue(replay), parse.GetValue(metamorphic), parse.GetValue(incidents)));
        return command;
    }

    internal static async Task<int> RunAsync(EvalServices services, string casesDir, bool noLlm, string? reportPath, string? htmlPath, CancellationToken ct,
        string? recordDir = null, string? replayDir = null, bool metamorphic = false, string? incidentsDir = null)
    {
        var console = services.Console;
        var errors = services.ErrorConsole;
        if (!Directory.Exists(casesDir))
        {
            errors.MarkupLineInterpolated($"[red]eval: cases directory not found:[/] {casesDir}");
            return BadInput;
        }

        if (incidentsDir is not null && !Directory.Exists(incidentsDir))
        {
            errors.MarkupLineInterpolated($"[red]eval: incident cases directory not found:[/] {incidentsDir}");
            return BadInput;
        }

        var caseDirs = EvalRunner.FindCaseDirectories(casesDir);
        if (caseDirs.Count == 0)
        {
            errors.MarkupLineInterpolated($"[red]eval: no case directories under[/] {casesDir}");
            return BadInput;
        }

        try
        {
            var engine = services.CreateEngine(new EvalEngineRequest(noLlm, recordDir, replayDir));
            var runner = new EvalRunner(engine, services.ReadTrace, services.PromptTokens);
            EvalReport? result = null;
            await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"eval ({caseDirs.Count} cases)", maxValue: caseDirs.Count);
                    var reporter = new DirectProgress(p =>
                    {
                        task.Value = p.Completed;
                        task.Description = Markup.Escape($"eval {p.Completed}/{p.Total}: {p.Last.Case}");
                    });
                    result = await runner.RunAsync(casesDir, reporter, ct).ConfigureAwait(false);
                    task.Value = caseDirs.Count;
                }).ConfigureAwait(false);

            var evalReport = result!;
            if (metamorphic)
            {
                MetamorphicOutcome? outcome = null;
                await console.Status().StartAsync($"metamorphic checks: {MetamorphicTransformations.All.Count} transformations x {caseDirs.Count} cases", async _ =>
                    outcome = await new MetamorphicEvaluator(engine, services.ReadTrace).RunAsync(caseDirs, cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
                evalReport = evalReport with { Invariance = outcome!.Invariance, InvarianceFailures = outcome.Failures };
            }

            if (incidentsDir is not null)
            {
                evalReport = evalReport with { Incidents = await IncidentEvalRunner.RunAsync(incidentsDir, ct).ConfigureAwait(false) };
            }

            Render(console, evalReport);
            RenderIncidents(console, evalReport.Incidents);
            if (reportPath is not null)
            {
                await WriteJsonReportAsync(evalReport, reportPath, ct).ConfigureAwait(false);
                console.MarkupLineInterpolated($"[grey]report:[/] {reportPath}");
            }

            if (htmlPath is not null)
            {
                var full = Path.GetFullPath(htmlPath);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, EvalHtmlReport.Render(evalReport, $"OpsAssistant eval: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(casesDir)))}"), ct).ConfigureAwait(false);
                console.MarkupLineInterpolated($"[grey]html:[/] {htmlPath}");
            }

            console.WriteLine(evalReport.SummaryLine());
            if (evalReport.Incidents is { } incidentReport)
            {
                console.WriteLine(incidentReport.SummaryLine());
            }

            return Ok;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]eval: cancelled[/]");
            return Failure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.MarkupLineInterpolated($"[red]eval: {ex.Message}[/]");
            return Failure;
        }
    }

    /// <summary>The incident cases that missed, raised a false alarm or errored (nothing when all were right).</summary>
    private static void RenderIncidents(IAnsiConsole console, IncidentEvalReport? report)
    {
        var wrong = report?.Results.Where(r => r.Error is not null || r.FalseAlarm || (r.Expected is not null && r.Rank != 1)).ToList() ?? [];
        if (report is null || wrong.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"[bold]incident cases not right ({wrong.Count} of {report.Cases})[/]");
        table.AddColumns("case", "expected", "rank", "top change", "error");
        foreach (var r in wrong)
        {
            table.AddRow(Markup.Escape(r.Case), Markup.Escape(r.Expected ?? "nothing"), r.Rank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(r.Top ?? "none"), Markup.Escape(r.Error ?? ""));
        }

        console.Write(table);
    }

    private static void Render(IAnsiConsole console, EvalReport report)
    {
        var categories = new Table().Border(TableBorder.Rounded).Title("[bold]eval by category[/]");
        categories.AddColumn("category");
        foreach (var heading in new[] { "cases", "top-1", "top-3", "MRR", "abstained", "errored", "false alarms", "prompt tok", "ms" })
        {
            categories.AddColumn(new TableColumn(heading).RightAligned());
        }

        foreach (var c in report.Categories)
        {
            var scored = c.Cases > c.Healthy;
            categories.AddRow(Markup.Escape(c.Category), N(c.Cases), scored ? Pct(c.Top1) : "-", scored ? Pct(c.Top3) : "-", scored ? F(c.Mrr, "0.000") : "-",
                N(c.Abstained), N(c.Errored), c.Healthy > 0 ? $"{N(c.FalseAlarms)}/{N(c.Healthy)}" : "", F(c.MeanPromptTokens, "0"), F(c.MeanElapsedMs, "0.0"));
        }

        categories.AddRow("[bold]all[/]", $"[bold]{N(report.Cases)}[/]", $"[bold]{Pct(report.Top1)}[/]", $"[bold]{Pct(report.Top3)}[/]",
            $"[bold]{F(report.Mrr, "0.000")}[/]", N(report.Abstained), N(report.Errored), report.Healthy > 0 ? $"{N(report.FalseAlarms)}/{N(report.Healthy)}" : "",
            F(report.MeanPromptTokens, "0"), F(report.MeanElapsedMs, "0.0"));
        console.Write(categories);
        console.MarkupLineInterpolated($"expected calibration error of the rank-1 confidence: [bold]{F(report.Ece, "0.000")}[/] (10 bins, {N(report.Results.Count(r => !r.Errored))} cases)");
        if (report.BaselineUplift is { } uplift)
        {
            console.MarkupLineInterpolated($"baselines: {N(uplift.Cases)} cases with a baseline.json, top-1 [bold]{Pct(uplift.Top1)}[/] with their baselines, {Pct(uplift.Top1WithoutBaselines)} with baselines off (uplift {F(uplift.Top1Uplift, "+0.000;-0.000;0")})");
        }

        RenderFamilies(console, report);
        RenderMisses(console, report);
        RenderFalseAlarms(console, report);
        RenderInvariance(console, report);
    }

    /// <summary>The generator families that are not perfect (a miss, an errored case or a false alarm), when the set has families.</summary>
    private static void RenderFamilies(IAnsiConsole console, EvalReport report)
    {
        var weak = report.Families
            .Where(f => report.Categories.All(c => c.Category != f.Category))
            .Where(f => f.Cases > f.Healthy && f.Top1 < 1 || f.FalseAlarms > 0 || f.Errored > 0)
            .ToList();
        if (weak.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"[bold]families with misses or false alarms ({weak.Count} of {report.Families.Count})[/]");
        table.AddColumn("family");
        foreach (var heading in new[] { "cases", "top-1", "top-3", "false alarms", "errored" })
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        foreach (var f in weak)
        {
            var scored = f.Cases > f.Healthy;
            table.AddRow(Markup.Escape(f.Category), N(f.Cases), scored ? Pct(f.Top1) : "-", scored ? Pct(f.Top3) : "-",
                f.Healthy > 0 ? $"{N(f.FalseAlarms)}/{N(f.Healthy)}" : "", N(f.Errored));
        }

        console.Write(table);
    }

    private static void RenderMisses(IAnsiConsole console, EvalReport report)
    {
        var misses = report.Results.Where(r => !r.Healthy && r.Rank != 1 || r.Healthy && r.Errored).ToList();
        if (misses.Count == 0)
        {
            console.MarkupLine("[green]no misses: every expected root cause ranked first[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"[bold]misses ({misses.Count})[/]");
        table.AddColumn("case");
        table.AddColumn(new TableColumn("rank").RightAligned());
        table.AddColumn("expected");
        table.AddColumn("predicted / error");
        foreach (var r in misses)
        {
            var expected = r.Healthy ? "healthy" : r.Expected is null ? "?" : $"{r.Expected.Service} / {r.Expected.Span ?? "*"}";
            var predicted = r.Errored ? $"[red]{Markup.Escape(r.Error!)}[/]"
                : r.Service is null && r.Operation is null ? "[grey]no hypothesis[/]"
                : Markup.Escape($"{r.Service} / {r.Operation} ({r.PredictedCategory})");
            table.AddRow(Markup.Escape(r.Case), r.Rank is { } rank ? N(rank) : "-", Markup.Escape(expected), predicted);
        }

        console.Write(table);
    }

    private static void RenderFalseAlarms(IAnsiConsole console, EvalReport report)
    {
        if (report.Healthy == 0)
        {
            return;
        }

        var alarms = report.Results.Where(r => r.FalseAlarm).ToList();
        if (alarms.Count == 0)
        {
            console.MarkupLineInterpolated($"[green]no false alarms on {report.Healthy} healthy traces[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"[bold]false alarms ({alarms.Count} of {report.Healthy} healthy)[/]");
        table.AddColumn("case");
        table.AddColumn(new TableColumn("conf").RightAligned());
        table.AddColumn("named cause");
        foreach (var r in alarms)
        {
            table.AddRow(Markup.Escape(r.Case), F(r.Confidence ?? 0, "0.00"), Markup.Escape($"{r.Service} / {r.Operation} ({r.PredictedCategory}): {r.TopTitle}"));
        }

        console.Write(table);
    }

    private static void RenderInvariance(IAnsiConsole console, EvalReport report)
    {
        if (report.Invariance is not { Count: > 0 } invariance)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]metamorphic invariance[/]");
        table.AddColumn("transformation");
        table.AddColumn(new TableColumn("unchanged").RightAligned());
        table.AddColumn("changed cases");
        foreach (var (name, rate) in invariance)
        {
            var changed = (report.InvarianceFailures ?? []).Where(f => f.Transformation == name).Select(f => f.Case).ToList();
            var shown = changed.Count > 8 ? string.Join(", ", changed.Take(8)) + $", ... ({changed.Count})" : string.Join(", ", changed);
            table.AddRow(Markup.Escape(name), rate >= 1 ? $"[green]{Pct(rate)}[/]" : $"[red]{Pct(rate)}[/]", Markup.Escape(shown));
        }

        console.Write(table);
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => F(fraction * 100, "0.0") + "%";

    /// <summary>
    /// Reports on the calling thread. <see cref="Progress{T}"/> posts to the thread pool, so its last updates could land
    /// after the progress display has closed.
    /// </summary>
    private sealed class DirectProgress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }

    /// <summary>The report JSON (<see cref="EvalReportJson"/>'s contract), written here: Core renders, the CLI writes files.</summary>
    private static async Task WriteJsonReportAsync(EvalReport report, string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            await System.Text.Json.JsonSerializer.SerializeAsync(stream, report, ResultJson.IndentedReport, cancellationToken).ConfigureAwait(false);
        }
    }
}
