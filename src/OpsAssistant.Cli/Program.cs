using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Cli;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Formats;
using Spectre.Console;

// Traces and metrics of the CLI's own work (analysis spans, GenAI calls) go out over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
// is set; disposing the providers flushes them before the process exits.
using var telemetry = CliTelemetry.Start();

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
    AnsiConsole.Console)));
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
