using System.CommandLine;
using System.Text.Json;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Sources;
using Spectre.Console;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// <c>opsassistant analyze &lt;trace.json | trace-id&gt; [--source ...] [--trace-id id] [--json] [--no-llm]</c> (docs/cli.md).
/// Exit 0 on success, 2 on bad input (unreadable file, unknown format, malformed or unknown trace ID, several traces without
/// <c>--trace-id</c>), 1 on any other failure. Errors are one line on stderr, never a stack trace.
/// </summary>
internal static class AnalyzeCommand
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static Command Create(AnalyzeServices services)
    {
        var target = new Argument<string>("trace") { Description = "A trace file (OTLP/JSON, Tempo, Jaeger v1/v3, Zipkin v2) or a 32/16-hex trace ID to fetch from a source." };
        var source = new Option<string?>("--source") { Description = "Where a trace ID is looked up: file|store|jaeger|tempo|zipkin (default: OpsAssistant:TraceSource:Kind)." };
        source.AcceptOnlyFromAmong([.. TraceSourceKinds.Names]);
        var traceId = new Option<string?>("--trace-id") { Description = "Which trace to analyse when the file holds several." };
        var json = new Option<bool>("--json") { Description = "Print the result JSON (the API's result contract) instead of a table." };
        var noLlm = new Option<bool>("--no-llm") { Description = "Use the deterministic analyser only, even when an LLM is configured." };
        var command = new Command("analyze", "Rank root-cause hypotheses for one trace.") { target, source, traceId, json, noLlm };
        command.SetAction((parse, ct) => RunAsync(services, parse.GetValue(target)!, parse.GetValue(source), parse.GetValue(traceId), parse.GetValue(json), parse.GetValue(noLlm), ct));
        return command;
    }

    internal static async Task<int> RunAsync(AnalyzeServices services, string target, string? sourceName, string? traceId, bool json, bool noLlm, CancellationToken ct)
    {
        if (traceId is not null && !TraceId.TryParse(traceId, out _))
        {
            return Fail(services, BadInput, $"--trace-id '{traceId}' is not a trace ID (16 or 32 hex characters).");
        }

        // The service's own path: sources from the shared configuration, the engine the flags chose (built only once a trace
        // is in hand), nothing stored.
        var analysis = new TraceAnalysisService(name => Resolve(services, name), new Lazy<IRootCauseEngine>(() => services.CreateEngine(noLlm)), null, TimeProvider.System);
        Trace trace;
        string from;
        try
        {
            var loaded = await LoadAsync(analysis, target, sourceName, traceId, ct).ConfigureAwait(false);
            if (loaded.Error is not null)
            {
                return Fail(services, loaded.Code, loaded.Error);
            }

            (trace, from) = (loaded.Trace!, loaded.Source!);
        }
        catch (MultipleTracesException ex)
        {
            return Fail(services, BadInput, $"{target} holds {ex.TraceIds.Count} traces; choose one with --trace-id: {string.Join(", ", ex.TraceIds)}");
        }
        catch (TraceFormatException ex)
        {
            return Fail(services, BadInput, $"{target}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(services, BadInput, $"cannot read {target}: {ex.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return Fail(services, Failure, $"trace source unavailable: {ex.Message}");
        }

        try
        {
            var request = new TraceAnalysisRequest(TraceId.TryParse(trace.TraceId, out var id) ? id : default, AnalysisOrigin.Cli);
            var result = await analysis.AnalyzeAsync(trace, from, request, ct).ConfigureAwait(false);
            if (json)
            {
                await services.Json.WriteLineAsync(JsonSerializer.Serialize(result, ResultJson.IndentedResult)).ConfigureAwait(false);
            }
            else
            {
                Render(services.Console, trace, result);
            }

            return Ok;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(services, Failure, "cancelled");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail(services, Failure, $"analysis failed: {ex.Message}");
        }
    }

    private static async Task<(Trace? Trace, string? Source, string? Error, int Code)> LoadAsync(
        TraceAnalysisService analysis, string target, string? sourceName, string? traceId, CancellationToken ct)
    {
        if (sourceName is null or "file")
        {
            if (File.Exists(target))
            {
                return (await CliTraceFile.ReadSingleAsync(target, traceId, ct).ConfigureAwait(false), "file", null, Ok);
            }

            var isTraceId = TraceId.TryParse(target, out _);
            if (sourceName == "file" || !isTraceId)
            {
                return (null, null, isTraceId || LooksLikePath(target)
                    ? $"file not found: {target}"
                    : $"'{target}' is neither a readable file nor a trace ID (16 or 32 hex characters).", BadInput);
            }
        }

        if (!TraceId.TryParse(target, out var id))
        {
            return (null, null, $"'{target}' is not a trace ID (16 or 32 hex characters); --source {sourceName} looks traces up by ID.", BadInput);
        }

        TraceOutcome outcome;
        try
        {
            outcome = await analysis.FetchAsync(id, sourceName, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return (null, null, ex.Message, BadInput);
        }

        return outcome.Kind switch
        {
            TraceOutcomeKind.Found => (outcome.Trace, outcome.Source, null, Ok),
            TraceOutcomeKind.NotFound => (null, null, $"trace {target} was not found in the {outcome.Source} source.", BadInput),
            _ => (null, null, $"trace source unavailable: {outcome.Failure}", Failure),
        };
    }

    /// <summary>
    /// A source by name, or the configured one. A name or configuration that cannot give a source is the caller's to fix
    /// (exit 2): it surfaces as <see cref="InvalidOperationException"/>, told apart from a source that fails while answering
    /// (a failed outcome, exit 1).
    /// </summary>
    private static ITraceSource Resolve(AnalyzeServices services, string? sourceName)
    {
        ITraceSource? source;
        try
        {
            source = services.ResolveSource(sourceName);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or TraceSourceException)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }

        return source ?? throw new InvalidOperationException(
            $"no trace source '{sourceName ?? "(default)"}' is configured: set OpsAssistant:TraceSource:Kind (Store|Jaeger|Tempo|Zipkin|Files) and OpsAssistant:TraceSource:Url, or pass a trace file.");
    }

    private static bool LooksLikePath(string target) =>
        target.Contains('/', StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal) || target.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static int Fail(AnalyzeServices services, int code, string message)
    {
        services.Error.WriteLine($"opsassistant analyze: {OpsAssistant.Core.Prompting.ControlCharacters.Escape(message)}");
        return code;
    }

    private static void Render(IAnsiConsole console, Trace trace, AnalysisResult result)
    {
        // Span names and status messages reach the terminal: escape sequences in them must print, not act.
        result = OpsAssistant.Core.Prompting.ControlCharacters.Escape(result);
        console.Write(new Rule($"[bold]trace {result.TraceId}[/] · {trace.Spans.Count} spans · engine {Markup.Escape(result.Engine)}{(result.Model is null ? "" : " " + Markup.Escape(result.Model))}").LeftJustified());
        var table = new Table().RoundedBorder().Expand();
        table.AddColumn("#");
        table.AddColumn("conf");
        table.AddColumn("category");
        table.AddColumn("suspect (service / operation)");
        table.AddColumn("hypothesis");
        foreach (var h in result.Hypotheses)
        {
            var colour = h.Confidence >= 0.7 ? "red" : h.Confidence >= 0.4 ? "yellow" : "grey";
            table.AddRow(
                h.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"[{colour}]{h.Confidence:0.00}[/]",
                Markup.Escape(h.Category),
                Markup.Escape($"{h.Service} / {h.Operation}"),
                Markup.Escape(h.Title));
        }

        console.Write(table);
        foreach (var h in result.Hypotheses)
        {
            console.MarkupLineInterpolated($"[bold]#{h.Rank}[/] {h.Title}  [grey]spans {string.Join(", ", h.SpanIds)}[/]");
            foreach (var e in h.Evidence)
            {
                console.MarkupLineInterpolated($"   [grey]•[/] {e}");
            }

            console.MarkupLineInterpolated($"   [green]fix:[/] {h.Remediation}");
        }

        foreach (var w in result.Warnings ?? [])
        {
            console.MarkupLineInterpolated($"[yellow]repair:[/] {w}");
        }

        console.WriteLine();
        console.MarkupLineInterpolated($"{result.Summary}");
        if (result.Degraded is not null)
        {
            console.MarkupLineInterpolated($"[grey]LLM not used: {result.Degraded}[/]");
        }

        console.MarkupLineInterpolated($"[grey]{result.ElapsedMs:0.#} ms · prompt {result.PromptTokens} tokens · LLM tokens in {result.Usage.InputTokens} / out {result.Usage.OutputTokens}[/]");
    }
}

