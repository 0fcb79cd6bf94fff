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
    public async Task WriteAsync_LargeTrace_HandsTheOutputBoundedPiecesWhoseBytesEqualTheWholeDocument()
    {
        var resource = new Resource("checkout");
        var spans = Enumerable.Range(0, 20_000).Select(i => new Span
        {
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = (0x1000_0000_0000_0000L + i).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            Name = "GET /items/" + i, StartUnixNano = i, EndUnixNano = i + 10, Resource = resource,
            Attributes = [new Attribute("http.route", "/items/{id}"), new Attribute("item", (long)i)],
        }).ToList();
        var recording = new RecordingStream();

        await OtlpJsonWriter.WriteAsync(recording, spans);

        // A slow reader of a big trace costs the server one flush's worth of memory, not the whole document.
        Assert.True(recording.Writes.Count > 10, $"{recording.Writes.Count} writes");
        Assert.All(recording.Writes, w => Assert.True(w.Length < 2 * OtlpJsonWriter.FlushBytes, $"a write of {w.Length} bytes"));
        Assert.Equal(OtlpJsonWriter.ToUtf8Bytes(spans), recording.Writes.SelectMany(w => w).ToArray());
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

    /// <summary>Keeps each write the writer hands it, as the response body would receive them.</summary>
    private sealed class RecordingStream : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Writes.Sum(w => (long)w.Length);

        public override long Position { get => Length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
    }
}
