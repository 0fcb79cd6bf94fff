using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using Spectre.Console;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// What the <c>eval</c> verb needs from the composition root: an engine for the given <c>--no-llm</c> choice, a trace
/// reader, the console for the run's output, the console for its errors (stderr, so stdout stays the report a script
/// reads), and optionally a prompt-size counter. Injected so tests run the verb with canned parts.
/// </summary>
internal sealed record EvalServices(
    Func<EvalEngineRequest, IRootCauseEngine> CreateEngine,
    EvalTraceReader ReadTrace,
    IAnsiConsole Console,
    IAnsiConsole ErrorConsole,
    Func<Trace, AnalysisResult, int>? PromptTokens = null);
