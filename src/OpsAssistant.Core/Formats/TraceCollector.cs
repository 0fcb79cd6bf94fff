using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Groups spans by trace ID (in order of first appearance), enforces <see cref="TraceReadOptions.MaxSpans"/> and
/// guarantees unique span IDs within a trace: the first span with an ID wins, later ones are dropped with a warning.
/// The analyser repairs trees; the reader only promises that an ID names one span.
/// </summary>
internal sealed class TraceCollector
{
    private readonly Dictionary<string, Builder> _traces = new(StringComparer.Ordinal);
    private readonly List<Builder> _order = [];
    private readonly WarningList _global = new();
    private readonly ReadContext _context;
    private long _spansSeen;

    public TraceCollector(ReadContext context)
    {
        _context = context;
    }

    /// <summary>Counts one span against the limit; call for every span read, kept or not.</summary>
    public void CountSpan(long byteOffset)
    {
        if (++_spansSeen > _context.Options.MaxSpans)
        {
            throw _context.Error(
                $"the input holds more than {_context.Options.MaxSpans:N0} spans, the limit set by TraceReadOptions.MaxSpans; " +
                "split the input or raise the limit",
                byteOffset,
                null);
        }
    }

    /// <summary>A warning that belongs to no particular trace (e.g. a span without a usable trace ID); every trace gets it.</summary>
    public void GlobalWarning(string message) => _global.Add(message);

    public void Warn(string traceId, string message) => GetBuilder(traceId).Warnings.Add(message);

    public bool Contains(string traceId, string spanId) =>
        _traces.TryGetValue(traceId, out var b) && b.ById.ContainsKey(spanId);

    /// <summary>Adds a span unless its trace already has a span with that ID. Returns false when dropped.</summary>
    public bool Add(Span span)
    {
        var builder = GetBuilder(span.TraceId);
        if (!builder.ById.TryAdd(span.SpanId, span))
        {
            var first = builder.ById[span.SpanId];
            var alike = first.Name == span.Name && first.StartUnixNano == span.StartUnixNano ? "a duplicate of" : "a different span with the same ID as";
            builder.Warnings.Add($"span {span.SpanId} ('{span.Name}') dropped: {alike} the span read earlier ('{first.Name}')");
            return false;
        }

        builder.Spans.Add(span);
        return true;
    }

    public IReadOnlyList<Trace> Build(TraceFormat format)
    {
        var traces = new List<Trace>(_order.Count);
        foreach (var builder in _order)
        {
            if (builder.Spans.Count == 0)
            {
                continue;
            }

            var warnings = new WarningList();
            warnings.AddRange(_global);
            warnings.AddRange(builder.Warnings);
            traces.Add(new Trace(builder.TraceId, builder.Spans.ToArray(), format, warnings.ToList()));
        }

        return traces;
    }

    private Builder GetBuilder(string traceId)
    {
        if (!_traces.TryGetValue(traceId, out var builder))
        {
            builder = new Builder(traceId);
            _traces.Add(traceId, builder);
            _order.Add(builder);
        }

        return builder;
    }

    private sealed class Builder(string traceId)
    {
        public string TraceId { get; } = traceId;

        public List<Span> Spans { get; } = [];

        public Dictionary<string, Span> ById { get; } = new(StringComparer.Ordinal);

        public WarningList Warnings { get; } = new();
    }
}
