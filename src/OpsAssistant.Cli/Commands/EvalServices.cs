using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using Spectre.Console;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// What the <c>eval</c> verb needs from the composition root: an engine for the given <c>--no-llm</c> choice, a trace
/// reader, the console, and optionally a prompt-size counter. Injected so tests run the verb with canned parts.
/// </summary>
internal sealed record EvalServices(
    Func<bool, IRootCauseEngine> CreateEngine,
    EvalTraceReader ReadTrace,
    IAnsiConsole Console,
    Func<Trace, AnalysisResult, int>? PromptTokens = null);
