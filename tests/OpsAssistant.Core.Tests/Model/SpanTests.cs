using System.Text;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Model;

/// <summary>
/// The span keeps IDs by value, rarely-set fields in a side object and attributes in arrays shared between spans, all
/// behind the same public properties: what a caller sets is what it reads back, and copies keep everything.
/// </summary>
public sealed class SpanTests
{
    [Fact]
    public void Span_RarelySetFields_ReadBackAsSetOrEmpty()
    {
        var events = new[] { new SpanEvent("exception", 5, [new Attribute("exception.type", "IOException")]) };
        var links = new[] { new SpanLink("0af7651916cd43dd8448eb211c80319c", "00000000000000b1", []) };
        var full = new Span { TraceId = "t", SpanId = "s", Name = "n", StatusMessage = "boom", Events = events, Links = links, TraceState = "k=v" };
        var bare = new Span { TraceId = "t", SpanId = "s", Name = "n", Events = null!, Links = [] };

        Assert.Equal(("boom", "k=v"), (full.StatusMessage, full.TraceState));
        Assert.Same(events, full.Events);
        Assert.Same(links, full.Links);
        Assert.Null(bare.StatusMessage);
        Assert.Null(bare.TraceState);
        Assert.Empty(bare.Events);
        Assert.Empty(bare.Links);
    }

    [Fact]
    public void WithSpanId_OnASpanReadByValue_KeepsEverythingButTheId()
    {
        var span = ReadOne("""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a2","parentSpanId":"00000000000000a1","name":"GET","kind":3,"startTimeUnixNano":"10","endTimeUnixNano":"20","attributes":[{"key":"http.route","value":{"stringValue":"/x"}}],"status":{"code":2,"message":"bad"},"traceState":"k=v","events":[{"name":"exception","timeUnixNano":"15"}]}""");

        var copy = span.WithSpanId("00000000000000ff");

        Assert.Equal("00000000000000ff", copy.SpanId);
        Assert.False(copy.TryGetSpanIdNumber(out _));
        Assert.Equal(Describe(span)[1..], Describe(copy)[1..]);
        Assert.Equal("00000000000000a2", span.SpanId);
    }

    [Fact]
    public void Kind_OutsideTheByteRange_IsRejectedNotTruncated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Span { TraceId = "t", SpanId = "s", Name = "n", Kind = (SpanKind)256 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Span { TraceId = "t", SpanId = "s", Name = "n", Status = (SpanStatusCode)(-1) });
    }

    [Fact]
    public void CriticalPath_OfAResult_ListsTheSpanIdsWhateverFormTheyWereGivenIn()
    {
        // One span with its ID as text among spans read by value.
        var byValue = ReadTrace(
            """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"0000000000000001","name":"root","startTimeUnixNano":"0","endTimeUnixNano":"100"}""",
            """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"a","startTimeUnixNano":"10","endTimeUnixNano":"50"}""",
            """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000AB","parentSpanId":"0000000000000001","name":"b","startTimeUnixNano":"50","endTimeUnixNano":"90"}""");

        var (analysis, result) = HeuristicEngine.Analyze(byValue);

        var expected = analysis.Timing.Path.Select(i => analysis.Tree[i].SpanId).ToList();
        Assert.Equal(["0000000000000001", "0000000000000002", "00000000000000ab"], expected);
        Assert.Equal(expected, result.CriticalPath!);
        Assert.Equal(expected, Enumerable.Range(0, result.CriticalPath!.Count).Select(k => result.CriticalPath[k]));
    }

    [Fact]
    public void Analysis_ReadFromManyThreads_GivesEveryReaderTheSameCriticalPathItems()
    {
        var spans = Enumerable.Range(1, 400).Select(i =>
            $$$"""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{{{i:x16}}}",{{{(i == 1 ? "" : "\"parentSpanId\":\"0000000000000001\",")}}}"name":"op{{{i}}}","startTimeUnixNano":"{{{i * 10}}}","endTimeUnixNano":"{{{(i == 1 ? 100_000 : i * 10 + 10)}}}"}""");
        var analysis = TraceAnalyzer.Analyze(ReadTrace([.. spans]));
        var path = analysis.Findings.CriticalPath;

        var reads = Enumerable.Range(0, 8).AsParallel().Select(_ => path.Reverse().Select(item => item).ToList()).ToList();

        Assert.True(path.Count > 300);
        Assert.All(reads, read => Assert.Equal(reads[0], read));
        Assert.All(reads, read => Assert.True(read.Zip(reads[0]).All(p => ReferenceEquals(p.First, p.Second))));
    }

    private static string[] Describe(Span s) =>
        [s.SpanId, s.TraceId, s.ParentSpanId ?? "-", s.Name, s.Kind.ToString(), $"{s.StartUnixNano}-{s.EndUnixNano}", s.Status.ToString(), s.StatusMessage ?? "-",
            s.TraceState ?? "-", string.Join(";", s.Attributes), string.Join(";", s.Events.Select(e => e.Name)), s.ServiceName, s.Scope.Name];

    private static Span ReadOne(string span) => Assert.Single(ReadTrace(span).Spans);

    private static Trace ReadTrace(params string[] spans) => Assert.Single(TraceReader.Read(Encoding.UTF8.GetBytes(
        $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[{{{string.Join(",", spans)}}}]}]}]}""")).Traces);
}
