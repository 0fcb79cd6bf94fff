using System.Collections;
using System.Reflection;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Storage;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// The stored span form round-trips every field of the model. The comparison walks the model by reflection, so a field
/// added to <see cref="Span"/> (or to a resource, scope, event or link) fails here until the codec and the fixture carry it.
/// </summary>
public sealed class SpanPayloadCodecTests
{
    private static readonly Resource Resource = new("orders-db-client", [new Attribute("service.name", "orders-db-client"), new Attribute("pid", 4242L)]);
    private static readonly InstrumentationScope Scope = new("Npgsql", "10.0.0", [new Attribute("scope.flag", true), new Attribute("scope.ratio", 0.5)]);

    [Fact]
    public void Fixture_SetsEverySettableSpanProperty()
    {
        var span = TestSpans.Everything(Resource, Scope);
        foreach (var property in SettableProperties(typeof(Span)))
        {
            var value = property.GetValue(span);
            var isDefault = value is null
                || (property.PropertyType.IsValueType && value.Equals(Activator.CreateInstance(property.PropertyType)))
                || (value is ICollection { Count: 0 });
            Assert.False(isDefault, $"TestSpans.Everything leaves Span.{property.Name} at its default, so its round trip is untested.");
        }
    }

    [Fact]
    public void EncodeThenDecode_EverythingSpan_ReadsBackEveryFieldWithItsType()
    {
        var original = TestSpans.Everything(Resource, Scope);

        var read = new SpanPayloadDecoder().Decode(RowOf(original));

        AssertDeepEqual(original, read, "span");
    }

    [Fact]
    public void Decode_SpansOfOneResourceAndScope_ShareOneObjectOfEachAndOneCopyOfRepeatedStrings()
    {
        var decoder = new SpanPayloadDecoder();
        var first = TestSpans.Everything(Resource, Scope);
        var second = new Span
        {
            TraceId = first.TraceId,
            SpanId = TestSpans.SpanId(0x7),
            Name = new string(first.Name.AsSpan()),
            Resource = Resource,
            Scope = Scope,
            Attributes = [new Attribute("db.system", "postgresql")],
        };

        var a = decoder.Decode(RowOf(first));
        var b = decoder.Decode(RowOf(second));

        Assert.Same(a.Resource, b.Resource);
        Assert.Same(a.Scope, b.Scope);
        Assert.Same(a.Name, b.Name);
        Assert.Same(a.Attributes[0].Key, b.Attributes[0].Key);
        Assert.Same(a.Attributes[0].Value, b.Attributes[0].Value);
    }

    [Fact]
    public void EncodeThenDecode_SpansAsTheOtlpReaderBuildsThem_ReadBackEveryField()
    {
        // The reader holds IDs by value and packs attributes of many spans into shared arrays: the stored form must not care.
        var json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"scope":{"name":"lib","version":"2"},"spans":[
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","name":"root","kind":2,"startTimeUnixNano":"100","endTimeUnixNano":"900","attributes":[{"key":"http.route","value":{"stringValue":"/cart"}},{"key":"http.response.status_code","value":{"intValue":"503"}}],"status":{"code":2,"message":"upstream"}},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a2","parentSpanId":"00000000000000a1","name":"SELECT","kind":3,"startTimeUnixNano":"200","endTimeUnixNano":"800","attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},{"key":"retry","value":{"boolValue":true}},{"key":"ratio","value":{"doubleValue":0.25}}],"events":[{"name":"exception","timeUnixNano":"700","attributes":[{"key":"exception.type","value":{"stringValue":"TimeoutException"}}]}]}]}]}]}
            """;
        var spans = Assert.Single(OpsAssistant.Core.Formats.TraceReader.Read(System.Text.Encoding.UTF8.GetBytes(json)).Traces).Spans;
        var decoder = new SpanPayloadDecoder();

        foreach (var original in spans)
        {
            AssertDeepEqual(original, decoder.Decode(RowOf(original)), "span");
        }
    }

    [Fact]
    public void EncodeThenDecode_BareSpan_KeepsTheModelDefaults()
    {
        var original = new Span { TraceId = TestSpans.TraceId(1), SpanId = TestSpans.SpanId(1), Name = "bare", Resource = new Resource("svc") };

        var read = new SpanPayloadDecoder().Decode(RowOf(original));

        AssertDeepEqual(original, read, "span");
        Assert.Same(InstrumentationScope.Empty, read.Scope);
        Assert.Empty(read.Attributes);
        Assert.Empty(read.Events);
        Assert.Empty(read.Links);
    }

    [Fact]
    public void EncodeThenDecode_ScopeWithoutVersionOrAttributes_KeepsThemNull()
    {
        var original = new Span { TraceId = TestSpans.TraceId(1), SpanId = TestSpans.SpanId(1), Name = "x", Scope = new InstrumentationScope("lib") };

        var read = new SpanPayloadDecoder().Decode(RowOf(original));

        Assert.Equal("lib", read.Scope.Name);
        Assert.Null(read.Scope.Version);
        Assert.Null(read.Scope.Attributes);
    }

    [Fact]
    public void EncodeChunkThenDecode_SpansOfEveryIdForm_ReadBackEveryFieldInChunkOrder()
    {
        var everything = TestSpans.Everything(Resource, Scope);
        var oddIds = new Span
        {
            TraceId = everything.TraceId,
            SpanId = "not-canonical",
            ParentSpanId = "0000000000000000",
            Name = "odd ids",
            StartUnixNano = 5,
            EndUnixNano = 3,
            Resource = new Resource("other"),
        };
        var bare = new Span { TraceId = everything.TraceId, SpanId = TestSpans.SpanId(3), Name = "bare", Resource = Resource };
        Span[] spans = [everything, oddIds, bare];

        var chunk = SpanChunkCodec.Encode(spans.Select(ChunkSpan.From).ToArray());
        var read = new List<Span>();
        new SpanPayloadDecoder().DecodeChunk(everything.TraceId, chunk, read);

        Assert.Equal(spans.Length, read.Count);
        for (var i = 0; i < spans.Length; i++)
        {
            AssertDeepEqual(spans[i], read[i], $"span {i}");
        }

        Assert.Same(read[0].Resource, read[2].Resource);
        Assert.Same(InstrumentationScope.Empty, read[2].Scope);
    }

    [Fact]
    public void DecodeChunk_OneService_ReadsOnlyThatServicesSpans()
    {
        var spans = new[] { TestSpans.Make(1, 1, service: "frontend"), TestSpans.Make(1, 2, parent: 1, service: "checkout"), TestSpans.Make(1, 3, parent: 2, service: "frontend") };
        var chunk = SpanChunkCodec.Encode(spans.Select(ChunkSpan.From).ToArray());
        var read = new List<Span>();

        new SpanPayloadDecoder().DecodeChunk(TestSpans.TraceId(1), chunk, read, "frontend");

        Assert.Equal([TestSpans.SpanId(1), TestSpans.SpanId(3)], read.Select(s => s.SpanId));
    }

    [Fact]
    public void ReadKeys_ChunkKeys_GiveEverySpanIdWithItsErrorFlag()
    {
        var spans = new[] { TestSpans.Make(1, 1), TestSpans.Make(1, 2, parent: 1, error: true), new Span { TraceId = TestSpans.TraceId(1), SpanId = "Odd", Name = "odd" } };
        var keys = new Dictionary<(ulong, string?), bool>();

        SpanChunkCodec.ReadKeys(SpanChunkCodec.EncodeKeys(spans.Select(ChunkSpan.From).ToArray()), keys);

        Assert.Equal(3, keys.Count);
        Assert.False(keys[(1, null)]);
        Assert.True(keys[(2, null)]);
        Assert.False(keys[(0, "odd")]);
    }

    private static SpanRow RowOf(Span span) =>
        new(span.TraceId, span.SpanId, span.ParentSpanId, span.Name, span.StartUnixNano, span.EndUnixNano, SpanPayloadCodec.Encode(span));

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null);

    private static void AssertDeepEqual(object? expected, object? actual, string path)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: expected null, read {actual}");
            return;
        }

        Assert.True(actual is not null, $"{path}: expected {expected}, read null");
        switch (expected)
        {
            case string or bool or byte or long or int or double or Enum:
                Assert.Equal(expected.GetType(), actual.GetType());
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, read {actual}");
                break;
            case Attribute attribute:
                var readAttribute = Assert.IsType<Attribute>(actual);
                Assert.Equal(attribute.Key, readAttribute.Key);

                // An attribute value keeps its exact type: long stays long, an array stays object?[], a list stays Attribute[].
                Assert.True(attribute.Value?.GetType() == readAttribute.Value?.GetType(), $"{path}.{attribute.Key}: type {attribute.Value?.GetType()} read as {readAttribute.Value?.GetType()}");
                AssertDeepEqual(attribute.Value, readAttribute.Value, $"{path}.{attribute.Key}");
                break;
            case IEnumerable items:
                var expectedItems = items.Cast<object?>().ToList();
                var actualItems = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: {expectedItems.Count} items, read {actualItems.Count}");
                for (var i = 0; i < expectedItems.Count; i++)
                {
                    AssertDeepEqual(expectedItems[i], actualItems[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.Equal(expected.GetType(), actual.GetType());
                foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
                {
                    AssertDeepEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                }

                break;
        }
    }
}
