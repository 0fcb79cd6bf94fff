using System.Text;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// The OTLP/JSON reader's fast paths — spans built as they are read, span IDs held by value and known distinct, attributes
/// packed many spans to an array, field names matched by length, recent strings reused — must read every document exactly
/// as the plain paths do.
/// </summary>
public sealed class OtlpReadPathTests
{
    private const string TraceId = "5b8efff798038103d269b633813fc60c";

    [Fact]
    public void Read_ResourceAndScopeAfterTheirSpans_GiveTheSameSpansAsTheUsualOrder()
    {
        var usual = Read($$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
              "scopeSpans":[{"scope":{"name":"lib-a","version":"1"},"spans":[{{{Span("0000000000000001", null, "root")}}},{{{Span("0000000000000002", "0000000000000001", "child")}}}]},
                            {"scope":{"name":"lib-b"},"spans":[{{{Span("0000000000000003", "0000000000000002", "leaf")}}}]}]}]}
            """);
        var reordered = Read($$$"""
            {"resourceSpans":[{
              "scopeSpans":[{"spans":[{{{Span("0000000000000001", null, "root")}}},{{{Span("0000000000000002", "0000000000000001", "child")}}}],"scope":{"name":"lib-a","version":"1"}},
                            {"spans":[{{{Span("0000000000000003", "0000000000000002", "leaf")}}}],"scope":{"name":"lib-b"}}],
              "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]}}]}
            """);

        Assert.Equal(Describe(usual), Describe(reordered));
        Assert.All(reordered.Spans, s => Assert.Equal("cart", s.ServiceName));
        Assert.Equal(["lib-a", "lib-a", "lib-b"], reordered.Spans.Select(s => s.Scope.Name));
        Assert.Equal("1", reordered.Spans[0].Scope.Version);
    }

    [Fact]
    public void Read_TwoResources_EachSpanKeepsItsOwn()
    {
        var trace = Read($$$"""
            {"resourceSpans":[
              {"scopeSpans":[{"spans":[{{{Span("0000000000000001", null, "a")}}}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"one"}}]}},
              {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"two"}}]},"scopeSpans":[{"spans":[{{{Span("0000000000000002", "0000000000000001", "b")}}}]}]}]}
            """);

        Assert.Equal(["one", "two"], trace.Spans.Select(s => s.ServiceName));
    }

    [Fact]
    public void Read_CanonicalIds_AreHeldByValueAndReadBackAsTheirHex()
    {
        var trace = Read(Document(Span("00000000000000a1", null, "root"), Span("ffffffffffffff02", "00000000000000a1", "child")));

        Assert.True(trace.Spans[0].TryGetSpanIdNumber(out var root));
        Assert.Equal(0xa1UL, root);
        Assert.True(trace.Spans[1].TryGetParentNumber(out var parent));
        Assert.Equal(0xa1UL, parent);
        Assert.True(trace.Spans[0].IsParentless);
        Assert.Equal("00000000000000a1", trace.Spans[0].SpanId);
        Assert.Equal("ffffffffffffff02", trace.Spans[1].SpanId);
        Assert.Equal("00000000000000a1", trace.Spans[1].ParentSpanId);
        Assert.Null(trace.Spans[0].ParentSpanId);
    }

    [Theory]
    [InlineData("00000000000000A1", "0000000000000001")] // upper-case hex
    [InlineData("AAAAAAAAAKE=", "AAAAAAAAAAE=")] // base64, as the protobuf-JSON mapping writes IDs
    public void Read_IdsInOtherForms_ReadAsTheCanonicalIdsDo(string child, string parent)
    {
        var canonical = Read(Document(Span("0000000000000001", null, "root"), Span("00000000000000a1", "0000000000000001", "child")));
        var other = Read(Document(Span(parent, null, "root"), Span(child, parent, "child")));

        Assert.Equal(Describe(canonical), Describe(other));
        Assert.False(other.Spans[1].TryGetSpanIdNumber(out _));
    }

    [Fact]
    public void Read_ZeroParentId_IsARoot()
    {
        var trace = Read(Document(Span("0000000000000001", "0000000000000000", "root")));

        Assert.Null(trace.Spans[0].ParentSpanId);
        Assert.True(trace.Spans[0].IsParentless);
    }

    [Fact]
    public void Read_AttributesOfManySpans_EachSpanReadsExactlyItsOwn()
    {
        // Enough attributes to fill several shared arrays, with lists of every length up to past what is shared at all.
        var spans = Enumerable.Range(1, 700).Select(i =>
            $$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{i:x16}}}","name":"op","startTimeUnixNano":"1000","endTimeUnixNano":"2000","attributes":[{{{IntAttributes(i, i % 300)}}}]}""");

        var trace = Read(Document([.. spans]));

        for (var i = 1; i <= 700; i++)
        {
            var attributes = trace.Spans[i - 1].Attributes;
            Assert.Equal(i % 300, attributes.Count);
            Assert.Equal(Enumerable.Range(0, i % 300).Select(k => new OpsAssistant.Core.Model.Attribute($"k{k}", (long)(i * 1000 + k))), attributes);
            Assert.Equal(attributes, trace.Spans[i - 1].AttributeSpan.ToArray());
            if (attributes.Count > 0)
            {
                Assert.Equal((long)(i * 1000), trace.Spans[i - 1].GetAttribute("k0"));
                Assert.Null(trace.Spans[i - 1].GetAttribute($"k{attributes.Count}"));
                Assert.Throws<ArgumentOutOfRangeException>(() => attributes[attributes.Count]);
            }
        }
    }

    [Fact]
    public void Read_SpanNamingItsIdTwiceThenAnotherSpanWithThatId_KeepsBothUnderDistinctIds()
    {
        // The first span's final ID is ...02, which the second span also uses: the reader must not trust its count of IDs.
        var trace = Read(Document(
            """{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","spanId":"0000000000000002","name":"first","startTimeUnixNano":"1","endTimeUnixNano":"5"}""",
            Span("0000000000000002", null, "second")));

        Assert.Equal(2, trace.Spans.Count);
        Assert.Equal("0000000000000002", trace.Spans[0].SpanId);
        Assert.NotEqual("0000000000000002", trace.Spans[1].SpanId);
        Assert.Contains(trace.Warnings, w => w.Contains("Span ID 0000000000000002 was used by two different spans", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ExactRepeatOfASpan_IsDropped()
    {
        var trace = Read(Document(Span("0000000000000001", null, "root"), Span("0000000000000001", null, "root")));

        Assert.Single(trace.Spans);
        Assert.Contains(trace.Warnings, w => w.Contains("1 span(s) were exact repeats", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_EscapedFieldNames_AreReadAsThePlainOnes()
    {
        var plain = Read(Document(Span("0000000000000001", null, "root"), Span("0000000000000002", "0000000000000001", "child")));
        var escaped = Read(Document(
            Span("0000000000000001", null, "root"),
            """{"trace\u0049d":"5b8efff798038103d269b633813fc60c","span\u0049d":"0000000000000002","parent\u0053panId":"0000000000000001","n\u0061me":"child","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000","\u0061ttributes":[{"key":"k","value":{"stringValue":"v"}}],"status":{"code":2}}"""));

        Assert.Equal(Describe(plain), Describe(escaped));
    }

    [Fact]
    public void Read_ManyDistinctNamesAndValues_EveryOneReadExactly()
    {
        // Far more distinct short strings than the recent-string table has slots, so slots collide and are replaced.
        var spans = Enumerable.Range(1, 3000).Select(i =>
            $$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{i:x16}}}","name":"op-{{{i % 1777}}}","startTimeUnixNano":"1000","endTimeUnixNano":"2000","attributes":[{"key":"key.{{{i % 1313}}}","value":{"stringValue":"value-{{{i * 7 % 2029}}}"}}]}""");

        var trace = Read(Document([.. spans]));

        for (var i = 1; i <= 3000; i++)
        {
            var span = trace.Spans[i - 1];
            Assert.Equal($"op-{i % 1777}", span.Name);
            Assert.Equal($"key.{i % 1313}", span.Attributes[0].Key);
            Assert.Equal($"value-{i * 7 % 2029}", span.Attributes[0].Value);
        }
    }

    [Fact]
    public void Read_NonAsciiNames_AreReadExactly()
    {
        var trace = Read(Document(Span("0000000000000001", null, "größe"), Span("0000000000000002", "0000000000000001", "größe"), Span("0000000000000003", "0000000000000001", "grösse")));

        Assert.Equal(["größe", "größe", "grösse"], trace.Spans.Select(s => s.Name));
    }

    private static string Span(string id, string? parent, string name) =>
        $$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{id}}}",{{{ParentField(parent)}}}"name":"{{{name}}}","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000","attributes":[{"key":"k","value":{"stringValue":"v"}}],"status":{"code":2}}""";

    private static string IntAttributes(int span, int count) =>
        string.Join(",", Enumerable.Range(0, count).Select(k => "{\"key\":\"k" + k + "\",\"value\":{\"intValue\":\"" + (span * 1000 + k) + "\"}}"));

    private static string ParentField(string? parent) => parent is null ? "" : $"\"parentSpanId\":\"{parent}\",";

    private static string Document(params string[] spans) =>
        $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[{{{string.Join(",", spans)}}}]}]}]}""";

    private static Trace Read(string json) => Assert.Single(TraceReader.Read(Encoding.UTF8.GetBytes(json)).Traces);

    private static List<string> Describe(Trace trace) =>
        [.. trace.Spans.Select(s => $"{s.SpanId} {s.ParentSpanId} {s.ServiceName} {s.Scope.Name} {s.Scope.Version} {s.Name} {s.Kind} {s.StartUnixNano} {s.EndUnixNano} {s.Status} [{string.Join(";", s.Attributes)}] [{string.Join(";", s.Resource.Attributes)}]")];
}
