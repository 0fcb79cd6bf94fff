using System.CommandLine;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using Spectre.Console;

var root = new RootCommand("OpsAssistant: root-cause analysis of distributed traces.");
root.Subcommands.Add(EvalCommand.Create(new EvalServices(
    _ => new HeuristicEngine(),
    (stream, traceId, ct) => TraceReader.ReadSingleAsync(stream, traceId, null, ct),
    AnsiConsole.Console)));
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
