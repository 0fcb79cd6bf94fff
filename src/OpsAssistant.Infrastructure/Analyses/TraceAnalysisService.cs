using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Engine;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Infrastructure.Analyses;

/// <summary>
/// The one way to analyse a trace by ID, for every entry point (the API, the queue worker, the CLI, the chat and its tools,
/// MCP): resolve the source, fetch, tell "not found" from "the source failed", analyse, and record the analysis when the
/// request asks for it. Callers turn the <see cref="TraceOutcome"/> into their own answer.
/// </summary>
public sealed class TraceAnalysisService
{
    private readonly Func<string?, ITraceSource> _resolveSource;
    private readonly Lazy<IRootCauseEngine> _engine;
    private readonly IAnalysisStore? _analyses;
    private readonly TimeProvider _clock;

    /// <param name="resolveSource">A source by name, or the configured one for null.</param>
    /// <param name="engine">The engine every analysis of this instance runs; made on first use, so a fetch that fails never builds it.</param>
    /// <param name="analyses">Where requests with <see cref="TraceAnalysisRequest.Record"/> are stored; null where nothing is stored.</param>
    /// <param name="clock">The completion time of stored analyses.</param>
    public TraceAnalysisService(Func<string?, ITraceSource> resolveSource, Lazy<IRootCauseEngine> engine, IAnalysisStore? analyses, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(resolveSource);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(clock);
        _resolveSource = resolveSource;
        _engine = engine;
        _analyses = analyses;
        _clock = clock;
    }

    /// <summary>The service's composition: the configured sources, the full (LLM, redacted) engine and the analysis store.</summary>
    public static TraceAnalysisService Create(IServiceProvider services)
    {
        var sources = services.GetRequiredService<TraceSourceResolver>();
        return new TraceAnalysisService(
            name => name is null ? sources.Default : sources.Get(name),
            new Lazy<IRootCauseEngine>(services.GetRequiredService<IRootCauseEngine>),
            services.GetRequiredService<IAnalysisStore>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System);
    }

    /// <summary>The same sources and store with another engine (the chat's tools analyse with the heuristic engine).</summary>
    public TraceAnalysisService WithEngine(IRootCauseEngine engine) => new(_resolveSource, new Lazy<IRootCauseEngine>(engine), _analyses, _clock);

    /// <summary>The name of the source a request without one reads (for prompts and messages).</summary>
    /// <exception cref="TraceSourceException">The configured source lacks a setting it needs.</exception>
    public string DefaultSourceName => _resolveSource(null).Name;

    /// <summary>Fetches a trace: found, not found, or the source failed (including a source that lacks its URL).</summary>
    /// <exception cref="ArgumentException">The source name is unknown (entry points validate names first).</exception>
    public async Task<TraceOutcome> FetchAsync(TraceId traceId, string? source, CancellationToken cancellationToken)
    {
        ITraceSource resolved;
        try
        {
            resolved = _resolveSource(source);
        }
        catch (TraceSourceException ex)
        {
            return TraceOutcome.SourceFailed(traceId, ex.SourceName ?? source ?? "configured", ex.Message);
        }

        try
        {
            var trace = await resolved.GetTraceAsync(traceId.Value, cancellationToken).ConfigureAwait(false);
            return trace is null ? TraceOutcome.NotFound(traceId, resolved.Name) : TraceOutcome.Found(traceId, resolved.Name, trace);
        }
        catch (TraceSourceException ex)
        {
            return TraceOutcome.SourceFailed(traceId, resolved.Name, ex.Message);
        }
    }

    /// <summary>Fetches the trace and, when found, analyses it (and records the analysis if asked).</summary>
    public async Task<TraceOutcome> AnalyzeAsync(TraceAnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fetched = await FetchAsync(request.TraceId, request.Source, cancellationToken).ConfigureAwait(false);
        if (!fetched.IsFound)
        {
            return fetched;
        }

        var result = await AnalyzeAsync(fetched.Trace, fetched.Source, request, cancellationToken).ConfigureAwait(false);
        return TraceOutcome.Found(request.TraceId, fetched.Source, fetched.Trace, result);
    }

    /// <summary>Analyses a trace already fetched from <paramref name="source"/> (a tool reusing the turn's copy) and records it if asked.</summary>
    public async Task<AnalysisResult> AnalyzeAsync(Trace trace, string source, TraceAnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(request);
        var result = await _engine.Value.AnalyzeAsync(trace, cancellationToken).ConfigureAwait(false);
        if (request.AnalysisId is { } id)
        {
            result = result with { AnalysisId = id };
        }

        if (request.Record)
        {
            var store = _analyses ?? throw new InvalidOperationException("This analysis service stores nothing: it was built without an analysis store.");
            await store.SaveAsync(new AnalysisRecord
            {
                Id = result.AnalysisId,
                TraceId = result.TraceId,
                Status = AnalysisStatus.Done,
                Origin = request.Origin.Name(),
                Source = source,
                CreatedAt = _clock.GetUtcNow(),
                CompletedAt = _clock.GetUtcNow(),
                Result = result,
            }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }
}
