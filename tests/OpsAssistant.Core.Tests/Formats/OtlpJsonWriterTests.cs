using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Formats;

public sealed class OtlpJsonWriterTests
{
    [Theory]
    [InlineData("labeled/error_timeout_masked.json")]
    [InlineData("traces/jaeger-v1/ui_01.json")]
    [InlineData("traces/zipkin-v2/skew.json")]
    [InlineData("traces/jaeger-v3-otlp/memory_otel_traces_01.json")]
    public async Task Write_ThenRead_RoundTripsEveryField(string file)
    {
        await using var stream = FixtureFile.Open(file);
        var original = (await TraceReader.ReadAsync(stream)).Traces.SelectMany(t => t.Spans).ToList();

        var back = TraceReader.Read(OtlpJsonWriter.ToUtf8Bytes(original)).Traces.SelectMany(t => t.Spans).ToDictionary(s => s.SpanId);

        Assert.Equal(original.Count, back.Count);
        foreach (var a in original)
        {
            var b = back[a.SpanId];
            Assert.Equal((a.TraceId, a.ParentSpanId, a.ParentIsFollowsFrom, a.Name, a.Kind, a.StartUnixNano, a.EndUnixNano, a.Status, a.StatusMessage, a.ServiceName),
                (b.TraceId, b.ParentSpanId, b.ParentIsFollowsFrom, b.Name, b.Kind, b.StartUnixNano, b.EndUnixNano, b.Status, b.StatusMessage, b.ServiceName));
            Assert.Equal(a.Attributes.Select(x => x.ToString()), b.Attributes.Select(x => x.ToString()));
            Assert.Equal(a.Events.Select(e => (e.Name, e.TimeUnixNano, e.Attributes.Count)), b.Events.Select(e => (e.Name, e.TimeUnixNano, e.Attributes.Count)));
            Assert.Equal(a.Links.Select(l => (l.TraceId, l.SpanId)), b.Links.Select(l => (l.TraceId, l.SpanId)));
        }
    }

    [Fact]
    public void Write_TypedAttributes_KeepTheirTypes()
    {
        var span = new Span
        {
            TraceId = new string('a', 32), SpanId = new string('b', 16), Name = "op", StartUnixNano = 1, EndUnixNano = 2,
            Attributes = [new Attribute("s", "x"), new Attribute("l", 42L), new Attribute("d", 1.5), new Attribute("b", true), new Attribute("arr", new object?[] { "a", 1L })],
        };

        var back = TraceReader.Read(OtlpJsonWriter.ToUtf8Bytes([span])).Traces[0].Spans[0];

        Assert.Equal("x", back.GetAttribute("s"));
        Assert.Equal(42L, back.GetAttribute("l"));
        Assert.Equal(1.5, back.GetAttribute("d"));
        Assert.Equal(true, back.GetAttribute("b"));
        Assert.Equal(new object?[] { "a", 1L }, (object?[])back.GetAttribute("arr")!);
    }
}
