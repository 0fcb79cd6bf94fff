using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>One Jaeger trace object: spans and the process table, resolved once both have been read.</summary>
internal sealed class JaegerTraceDraft
{
    public List<JaegerSpanDraft> Spans { get; } = [];

    public Dictionary<string, Resource> Processes { get; } = new(StringComparer.Ordinal);

    public void Emit(JsonParseContext ctx)
    {
        foreach (var s in Spans)
        {
            var d = s.Draft;
            if (s.References.Count > 0)
            {
                // The parent is the CHILD_OF reference within the same trace, else the first FOLLOWS_FROM; the rest become links.
                var parent = s.References.FindIndex(r => r.Type.Equals("CHILD_OF", StringComparison.OrdinalIgnoreCase) && SameTrace(r.TraceId, d.TraceId));
                if (parent < 0)
                {
                    parent = s.References.FindIndex(r => r.Type.Equals("FOLLOWS_FROM", StringComparison.OrdinalIgnoreCase) && SameTrace(r.TraceId, d.TraceId));
                }

                if (parent >= 0 && string.IsNullOrEmpty(d.ParentSpanId))
                {
                    d.ParentSpanId = s.References[parent].SpanId;
                    d.ParentIsFollowsFrom = s.References[parent].Type.Equals("FOLLOWS_FROM", StringComparison.OrdinalIgnoreCase);
                }

                var links = new List<SpanLink>();
                for (var i = 0; i < s.References.Count; i++)
                {
                    var r = s.References[i];
                    if (i != parent && TraceIds.DecodeId(r.TraceId, 16) is { } t && TraceIds.DecodeId(r.SpanId, 8) is { } sp)
                    {
                        links.Add(new SpanLink(t, sp, AttributeValues.Empty, r.Type));
                    }
                }

                if (links.Count > 0)
                {
                    d.Links = links;
                }
            }

            var resource = s.InlineProcess ?? (s.ProcessId is not null && Processes.TryGetValue(s.ProcessId, out var p) ? p : Resource.Unknown);
            ctx.AddSpan(d.Build(resource, InstrumentationScope.Empty));
        }
    }

    private static bool SameTrace(string? a, string? b) =>
        a is null || b is null || TraceIds.DecodeId(a, 16) == TraceIds.DecodeId(b, 16);
}
