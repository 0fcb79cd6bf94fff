using System.Security.Cryptography;
using System.Text;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>The spans of one trace while reading, with span-ID uniqueness enforced.</summary>
internal sealed class TraceGroup
{
    /// <summary>Null when the reader has proven every span ID distinct: there is nothing to look for.</summary>
    private readonly Dictionary<string, Span>? _byId;

    /// <summary>Per reused ID, the next ordinal to try: without it each repeat re-hashes every earlier one (n² for n repeats).</summary>
    private readonly Dictionary<string, int> _nextOrdinal = new(StringComparer.Ordinal);

    public TraceGroup(int capacity = 0, bool idsKnownDistinct = false)
    {
        _byId = idsKnownDistinct ? null : new Dictionary<string, Span>(capacity, StringComparer.Ordinal);
        Spans = new List<Span>(capacity);
    }

    public List<Span> Spans { get; }

    public int Repeats { get; private set; }

    public List<(string Original, string NewId, string Name)> Renamed { get; } = [];

    public void Add(Span span)
    {
        if (_byId is null)
        {
            Spans.Add(span);
            return;
        }

        if (!_byId.TryGetValue(span.SpanId, out var existing))
        {
            _byId[span.SpanId] = span;
            Spans.Add(span);
            return;
        }

        if (existing.Name == span.Name && existing.StartUnixNano == span.StartUnixNano && existing.EndUnixNano == span.EndUnixNano
            && existing.ServiceName == span.ServiceName)
        {
            Repeats++;
            return;
        }

        var ordinal = _nextOrdinal.GetValueOrDefault(span.SpanId, 1);
        string newId;
        do
        {
            newId = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{span.SpanId}:dup:{ordinal++}")))[..16];
        }
        while (_byId.ContainsKey(newId));

        _nextOrdinal[span.SpanId] = ordinal;

        var renamed = span.WithSpanId(newId);
        _byId[newId] = renamed;
        Spans.Add(renamed);
        Renamed.Add((span.SpanId, newId, span.Name));
    }
}
