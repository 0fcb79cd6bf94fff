using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Sources;
using Spectre.Console;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// What <c>analyze</c> needs from the composition root: an engine for the <c>--no-llm</c> choice, a trace source by name
/// (null when none is configured), the console for tables and a writer for <c>--json</c> (stdout carries nothing else).
/// </summary>
internal sealed record AnalyzeServices(
    Func<bool, IRootCauseEngine> CreateEngine,
    Func<string?, ITraceSource?> ResolveSource,
    IAnsiConsole Console,
    TextWriter Json,
    TextWriter Error);
