using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Cli;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Prompting;
using Spectre.Console;

// Traces and metrics of the CLI's own work (analysis spans, GenAI calls) go out over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
// is set; disposing the providers flushes them before the process exits.
using var telemetry = CliTelemetry.Start();

// Both commands report prompt tokens: the o200k vocabulary (most of a small analysis's start-up) loads on a second core
// while the host is composed and the trace read and analysed.
if (args is ["analyze", ..] or ["eval", ..])
{
    _ = TokenCounter.Preload();
}

var root = new RootCommand("OpsAssistant: root-cause analysis of distributed traces. Configure with appsettings.json or OpsAssistant__* environment variables.");
root.Subcommands.Add(AnalyzeCommand.Create(new AnalyzeServices(
    noLlm => CliHost.EvalEngine(new EvalEngineRequest(noLlm, null, null)),
    CliSources.Resolve,
    AnsiConsole.Console,
    Console.Out,
    Console.Error)));
root.Subcommands.Add(EvalCommand.Create(new EvalServices(
    CliHost.EvalEngine,
    (stream, traceId, ct) => TraceReader.ReadSingleAsync(stream, traceId, null, ct),
    AnsiConsole.Console,
    AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }))));
root.Subcommands.Add(McpCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
