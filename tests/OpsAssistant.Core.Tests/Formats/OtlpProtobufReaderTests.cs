using Google.Protobuf;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using static OpsAssistant.Core.Tests.Hardening.OtlpProtobufEncoder;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// The hand-written OTLP protobuf decoder against messages encoded here field by field with CodedOutputStream,
/// following the published OTLP field numbers (the service test covers the SDK exporter's real output).
/// </summary>
public sealed class OtlpProtobufReaderTests
{
    private static readonly byte[] TraceId = Convert.FromHexString("5b8efff798038103d269b633813fc60c");
    private static readonly byte[] SpanId = Convert.FromHexString("eee19b7ec3c1b174");
    private static readonly byte[] ParentId = Convert.FromHexString("eee19b7ec3c1b173");

    [Fact]
    public void Read_FullRequest_MapsEveryField()
    {
        var span = Message(w =>
        {
            Bytes(w, 1, TraceId);
            Bytes(w, 2, SpanId);
            Text(w, 3, "vendor=1");
            Bytes(w, 4, ParentId);
            Text(w, 5, "GET /cart");
            w.WriteTag(6, WireFormat.WireType.Varint);
            w.WriteEnum(2);
            w.WriteTag(7, WireFormat.WireType.Fixed64);
            w.WriteFixed64(1_000);
            w.WriteTag(8, WireFormat.WireType.Fixed64);
            w.WriteFixed64(5_000);
            Nested(w, 9, KeyValue("http.status_code", v => { v.WriteTag(3, WireFormat.WireType.Varint); v.WriteInt64(503); }));
            Nested(w, 9, KeyValue("ratio", v => { v.WriteTag(4, WireFormat.WireType.Fixed64); v.WriteDouble(0.5); }));
            Nested(w, 9, KeyValue("retry", v => { v.WriteTag(2, WireFormat.WireType.Varint); v.WriteBool(true); }));
            Nested(w, 9, KeyValue("raw", v => Bytes(v, 7, [1, 2])));
            Nested(w, 9, KeyValue("list", v => Nested(v, 5, Message(a => { Nested(a, 1, StringValue("x")); Nested(a, 1, StringValue("y")); }))));
            Nested(w, 9, KeyValue("header", v => Nested(v, 6, Message(l => Nested(l, 1, KeyValue("accept", s => Text(s, 1, "json")))))));
            Nested(w, 11, Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.Fixed64);
                e.WriteFixed64(2_000);
                Text(e, 2, "exception");
                Nested(e, 3, KeyValue("exception.type", v => Text(v, 1, "Timeout")));
            }));
            Nested(w, 13, Message(l => { Bytes(l, 1, TraceId); Bytes(l, 2, ParentId); Text(l, 3, "ignored"); }));
            Nested(w, 15, Message(s => { Text(s, 2, "upstream failed"); s.WriteTag(3, WireFormat.WireType.Varint); s.WriteEnum(2); }));
            w.WriteTag(16, WireFormat.WireType.Fixed32);
            w.WriteFixed32(1);
            w.WriteTag(99, WireFormat.WireType.LengthDelimited);
            w.WriteString("a field from a newer OTLP");
        });
        var request = Request(resourceAttributes: [KeyValue("service.name", v => Text(v, 1, "cart"))], scopeName: "lib", spans: [span, span]);

        var spans = OtlpProtobufReader.Read(request);

        Assert.Equal(2, spans.Count);
        var read = spans[0];
        Assert.Equal("5b8efff798038103d269b633813fc60c", read.TraceId);
        Assert.Equal("eee19b7ec3c1b174", read.SpanId);
        Assert.Equal("eee19b7ec3c1b173", read.ParentSpanId);
        Assert.Equal("vendor=1", read.TraceState);
        Assert.Equal("GET /cart", read.Name);
        Assert.Equal(SpanKind.Server, read.Kind);
        Assert.Equal(1_000, read.StartUnixNano);
        Assert.Equal(5_000, read.EndUnixNano);
        Assert.Equal("cart", read.ServiceName);
        Assert.Equal("lib", read.Scope.Name);
        Assert.Equal(503L, read.GetAttribute("http.status_code"));
        Assert.Equal(0.5, read.GetAttribute("ratio"));
        Assert.Equal(true, read.GetAttribute("retry"));
        Assert.Equal(new byte[] { 1, 2 }, read.GetAttribute("raw"));
        Assert.Equal(new object?[] { "x", "y" }, (object?[])read.GetAttribute("list")!);
        Assert.Equal("json", read.GetAttribute("header.accept"));
        var ev = Assert.Single(read.Events);
        Assert.Equal(("exception", 2_000L, "Timeout"), (ev.Name, ev.TimeUnixNano, AttributeValues.FindString(ev.Attributes, "exception.type")));
        var link = Assert.Single(read.Links);
        Assert.Equal(("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b173"), (link.TraceId, link.SpanId));
        Assert.Equal(SpanStatusCode.Error, read.Status);
        Assert.Equal("upstream failed", read.StatusMessage);
        Assert.Same(spans[0].Resource, spans[1].Resource);
        Assert.Same(spans[0].Scope, spans[1].Scope);
    }

    [Fact]
    public void Read_ResourceAfterSpansAndLegacyInstrumentationLibrarySpans_StillNamesTheService()
    {
        var span = Message(w => { Bytes(w, 1, TraceId); Bytes(w, 2, SpanId); Text(w, 5, "old sdk"); });
        var request = Message(w => Nested(w, 1, Message(rs =>
        {
            Nested(rs, 1000, Message(ils => { Nested(ils, 1, Message(lib => Text(lib, 1, "legacy"))); Nested(ils, 2, span); }));
            Nested(rs, 1, Message(r => Nested(r, 1, KeyValue("service.name", v => Text(v, 1, "billing")))));
        })));

        var read = Assert.Single(OtlpProtobufReader.Read(request));

        Assert.Equal("billing", read.ServiceName);
        Assert.Equal("legacy", read.Scope.Name);
        Assert.Null(read.ParentSpanId);
    }

    [Fact]
    public void Read_ZeroParentId_IsARootAsInOtlpJson()
    {
        // Some SDKs write the invalid (all-zero) span ID rather than leaving parent_span_id out on a root.
        var root = Message(w => { Bytes(w, 1, TraceId); Bytes(w, 2, ParentId); Bytes(w, 4, new byte[8]); Text(w, 5, "GET /"); });
        var child = Message(w => { Bytes(w, 1, TraceId); Bytes(w, 2, SpanId); Bytes(w, 4, ParentId); Text(w, 5, "db"); });

        var spans = OtlpProtobufReader.Read(Request([], "lib", [root, child]));

        Assert.Null(spans[0].ParentSpanId);
        Assert.Equal("eee19b7ec3c1b173", spans[1].ParentSpanId);
        Assert.Empty(OpsAssistant.Core.Analysis.SpanTree.Build(new Trace(spans[0].TraceId, spans)).Warnings);
    }

    [Fact]
    public void Read_EmptyPayload_HasNoSpans() => Assert.Empty(OtlpProtobufReader.Read(ReadOnlyMemory<byte>.Empty));

    [Fact]
    public void Read_TruncatedPayload_ThrowsTraceFormatException()
    {
        var span = Message(w => { Bytes(w, 1, TraceId); Bytes(w, 2, SpanId); Text(w, 5, "x"); });
        var request = Request([], "lib", [span]);

        Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(request.AsMemory(0, request.Length - 3)));
    }

    [Fact]
    public void Read_HugeDeclaredLength_ThrowsWithoutAllocatingIt()
    {
        // Field 1, length-delimited, declared length 2^31-1, then nothing.
        var request = new byte[] { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x07 };

        Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(request));
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // 2^63: its low 32 bits are 0
    [InlineData(new byte[] { 0x0a, 0x80, 0x80, 0x80, 0x80, 0x10 })] // 2^32: read as 32 bits it is 0 too
    [InlineData(new byte[] { 0x0a, 0x82, 0x80, 0x80, 0x80, 0x10, 0x00, 0x00 })] // 2^32 + 2: would read as 2 and take the next two bytes
    public void Read_LengthBeyondThirtyTwoBits_IsMalformedRatherThanEmpty(byte[] request) =>
        Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(request));

    [Fact]
    public void Read_NestedLengthPastItsMessage_IsMalformed()
    {
        // resource_spans (6 bytes) holding scope_spans that declares 2^63 bytes.
        var request = new byte[] { 0x0a, 0x0b, 0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };

        Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(request));
    }

    [Fact]
    public void Read_WrongLengthTraceId_ThrowsNamingTheField()
    {
        var span = Message(w => { Bytes(w, 1, [1, 2, 3]); Bytes(w, 2, SpanId); Text(w, 5, "short"); });

        var error = Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(Request([], "lib", [span])));

        Assert.Contains("trace_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeeplyNestedAttributeValue_ThrowsInsteadOfOverflowingTheStack()
    {
        var value = StringValue("leaf");
        for (var i = 0; i < 200; i++)
        {
            var inner = value;
            value = Message(v => Nested(v, 5, Message(a => Nested(a, 1, inner))));
        }

        var deep = value;
        var span = Message(w => { Bytes(w, 1, TraceId); Bytes(w, 2, SpanId); Text(w, 5, "deep"); Nested(w, 9, Message(kv => { Text(kv, 1, "k"); Nested(kv, 2, deep); })); });

        var error = Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(Request([], "lib", [span])));

        Assert.Contains("deeper", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Request(byte[][] resourceAttributes, string scopeName, byte[][] spans) =>
        Message(w => Nested(w, 1, Message(rs =>
        {
            Nested(rs, 1, Message(r => { foreach (var a in resourceAttributes) { Nested(r, 1, a); } }));
            Nested(rs, 2, Message(ss =>
            {
                Nested(ss, 1, Message(scope => Text(scope, 1, scopeName)));
                foreach (var s in spans)
                {
                    Nested(ss, 2, s);
                }
            }));
        })));

    private static byte[] KeyValue(string key, Action<CodedOutputStream> value) =>
        Message(w => { Text(w, 1, key); Nested(w, 2, Message(value)); });

    private static byte[] StringValue(string text) => Message(v => Text(v, 1, text));
}
