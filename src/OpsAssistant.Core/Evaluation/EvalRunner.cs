using Stopwatch = System.Diagnostics.Stopwatch;
using OpsAssistant.Core.Baselines;
using OpsAssistant.Core.Engine;
using Trace = OpsAssistant.Core.Model.Trace;
using OpsAssistant.Core.Results;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Runs every case directory under a cases directory through an <see cref="IRootCauseEngine"/> and scores it with
/// <see cref="EvalMatch"/>. A case that cannot be loaded or analysed is recorded with its reason and the run goes on:
/// one broken case must not hide the figures of the other forty.
/// </summary>
public sealed class EvalRunner
{
    public const string ExpectedFileName = "expected.json";
    public const string TraceFileName = "trace.json";

    private readonly IRootCauseEngine _engine;
    private readonly EvalTraceReader _readTrace;
    private readonly Func<Trace, AnalysisResult, int> _promptTokens;

    /// <param name="engine">The engine under evaluation.</param>
    /// <param name="readTrace">Reads a case's trace.json (the format readers in production).</param>
    /// <param name="promptTokens">
    /// Size of the prompt the case would send to an LLM. Injectable because the prompt builder lives elsewhere;
    /// by default the engine's own <see cref="AnalysisResult.PromptTokens"/>.
    /// </param>
    public EvalRunner(IRootCauseEngine engine, EvalTraceReader readTrace, Func<Trace, AnalysisResult, int>? promptTokens = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _readTrace = readTrace ?? throw new ArgumentNullException(nameof(readTrace));
        _promptTokens = promptTokens ?? ((_, result) => result.PromptTokens);
    }

    /// <summary>Case directories directly under <paramref name="casesDirectory"/>, in ordinal name order so runs compare line by line.</summary>
    public static IReadOnlyList<string> FindCaseDirectories(string casesDirectory) =>
        Directory.EnumerateDirectories(casesDirectory)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToList();

    /// <exception cref="DirectoryNotFoundException">The cases directory does not exist.</exception>
    public async Task<EvalReport> RunAsync(string casesDirectory, IProgress<EvalProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(casesDirectory);
        if (!Directory.Exists(casesDirectory))
        {
            throw new DirectoryNotFoundException($"cases directory not found: {casesDirectory}");
        }

        var directories = FindCaseDirectories(casesDirectory);
        var results = new List<EvalCaseResult>(directories.Count);
        foreach (var directory in directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await RunCaseAsync(directory, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress?.Report(new EvalProgress(results.Count, directories.Count, result));
        }

        return EvalScoring.Summarise(results);
    }

    /// <summary>Loads, analyses and scores one case directory; never throws for a bad case, only for cancellation.</summary>
    public async Task<EvalCaseResult> RunCaseAsync(string caseDirectory, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(caseDirectory));

        EvalExpectation expected;
        try
        {
            var expectedPath = Path.Combine(caseDirectory, ExpectedFileName);
            if (!File.Exists(expectedPath))
            {
                return Failed(name, null, $"{ExpectedFileName} is missing");
            }

            expected = EvalExpectationReader.Parse(await File.ReadAllTextAsync(expectedPath, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return Failed(name, null, ex.Message);
        }

        Trace trace;
        try
        {
            var tracePath = Path.Combine(caseDirectory, TraceFileName);
            if (!File.Exists(tracePath))
            {
                return Failed(name, expected, $"{TraceFileName} is missing");
            }

            var stream = File.OpenRead(tracePath);
            await using (stream.ConfigureAwait(false))
            {
                trace = await _readTrace(stream, expected.TraceId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any reader failure (format exception, bad JSON, I/O) makes the trace unreadable for this case only.
            return Failed(name, expected, $"trace unreadable: {ex.Message}");
        }

        BaselineSet? baselines;
        try
        {
            baselines = await ReadBaselinesAsync(caseDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return Failed(name, expected, ex.Message);
        }

        if (baselines is not null && LaterThanTheTrace(baselines, trace) is { } late)
        {
            return Failed(name, expected, late);
        }

        AnalysisResult analysis;
        int? rankWithoutBaselines = null;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using (baselines is null ? null : BaselineScope.Use(baselines))
            {
                analysis = await _engine.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false);
            }

            stopwatch.Stop();
            if (baselines is not null && expected.RootCause is { } label)
            {
                // The same case with baselines off: what the history bought (the report's baselineUplift).
                using (BaselineScope.Use(BaselineSet.Empty))
                {
                    rankWithoutBaselines = EvalMatch.RankOf((await _engine.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false)).Hypotheses, label);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(name, expected, $"engine failed: {ex.GetType().Name}: {ex.Message}");
        }

        var hypotheses = analysis.Hypotheses;
        var top = hypotheses.Count > 0 ? hypotheses[0] : null;
        return new EvalCaseResult
        {
            Case = name,
            Rank = expected.RootCause is { } cause ? EvalMatch.RankOf(hypotheses, cause) : null,
            Service = top?.Service,
            Operation = top?.Operation,
            PromptTokens = _promptTokens(trace, analysis),
            InputTokens = analysis.Usage.InputTokens,
            OutputTokens = analysis.Usage.OutputTokens,
            ElapsedMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 2),
            Category = expected.EffectiveCategory,
            Abstained = EvalMatch.IsAbstention(hypotheses),
            Expected = expected.RootCause,
            PredictedCategory = top?.Category,
            TopTitle = top?.Title,
            TraceFormat = trace.Format.ToString(),
            SpanCount = trace.Spans.Count,
            Healthy = expected.IsHealthy,
            FalseAlarm = expected.IsHealthy && EvalMatch.IsFalseAlarm(hypotheses),
            Confidence = top?.Confidence,
            Family = expected.Family,
            Baseline = baselines is not null,
            RankWithoutBaselines = rankWithoutBaselines,
        };
    }

    /// <summary>
    /// Why a case's baselines do not fit its trace, or null when they do: a trace is judged against the history before it
    /// (as every provider answers as of the trace's start), so no operation's window may end after the trace started.
    /// </summary>
    public static string? LaterThanTheTrace(BaselineSet baselines, Trace trace)
    {
        ArgumentNullException.ThrowIfNull(baselines);
        ArgumentNullException.ThrowIfNull(trace);
        if (trace.Spans.Count == 0)
        {
            return null;
        }

        var start = Analysis.HeuristicEngine.AsOf(trace);
        return baselines.Operations.FirstOrDefault(b => b.To > start) is { } late
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{EvalBaselineReader.FileName}: the window of {late.Service} {late.Operation} ends at {late.To:O}, after the trace started ({start:O}); a trace is judged against the history before it")
            : null;
    }

    /// <summary>The case's <c>baseline.json</c>, or null when it has none.</summary>
    /// <exception cref="FormatException">The file is malformed.</exception>
    public static async Task<BaselineSet?> ReadBaselinesAsync(string caseDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(caseDirectory, EvalBaselineReader.FileName);
        return File.Exists(path) ? EvalBaselineReader.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)) : null;
    }

    private static EvalCaseResult Failed(string name, EvalExpectation? expected, string error) => new()
    {
        Case = name,
        Error = error,
        Category = expected?.EffectiveCategory ?? EvalExpectation.Unlabelled,
        Expected = expected?.RootCause,
        Healthy = expected?.IsHealthy ?? false,
        Family = expected?.Family,
    };
}
