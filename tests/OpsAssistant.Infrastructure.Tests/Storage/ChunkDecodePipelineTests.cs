using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Storage;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>
/// A trace's chunks decoded on several cores read back exactly as decoding them one after another on one thread does: every
/// span, in chunk order, a large chunk cut into runs included, with one shared instance per resource; and a broken chunk
/// decoded on another thread fails the read on the reader's thread.
/// </summary>
public sealed class ChunkDecodePipelineTests
{
    private const string Trace = "0000000000000000000000000000abcd";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task AppendSpans_SmallChunksAndOneLargerThanAWindow_ReadEverySpanInChunkOrderAsOneThreadDoes(int cores)
    {
        var resources = new[] { new Resource("frontend", [new Attribute("host.name", "web-1")]), new Resource("checkout") };
        var chunks = new List<byte[]>();
        var id = 0;
        for (var c = 0; c < 40; c++)
        {
            chunks.Add(Chunk(Enumerable.Range(0, 30).Select(_ => Span(++id, resources[id % 2]))));
        }

        chunks.Insert(17, Chunk(Enumerable.Range(0, 3000).Select(_ => Span(++id, resources[id % 2]))));
        Assert.True(chunks[17].Length > 3 * ChunkDecodePipeline.WindowBytes, "the large chunk spans several windows");

        var expected = new List<Span>();
        var decoder = new SpanPayloadDecoder();
        foreach (var chunk in chunks)
        {
            decoder.DecodeChunk(Trace, chunk, expected);
        }

        var read = new List<Span>();
        using (var pipeline = new ChunkDecodePipeline(Trace, cores))
        {
            foreach (var chunk in chunks)
            {
                pipeline.Add(chunk);
            }

            Assert.Equal(chunks.Count, pipeline.Chunks);
            await pipeline.AppendSpansToAsync(read);
        }

        Assert.Equal(4200, read.Count);
        Assert.Equal(expected.Select(Describe), read.Select(Describe));
        Assert.Single(read.Where(s => s.Resource.ServiceName == "frontend").Select(s => s.Resource).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Single(read.Where(s => s.Resource.ServiceName == "checkout").Select(s => s.Resource).Distinct(ReferenceEqualityComparer.Instance));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AppendSpans_ABrokenChunkAmongGoodOnes_FailsTheReadWithInvalidData(bool large)
    {
        var good = Chunk(Enumerable.Range(1, 400).Select(n => Span(n, new Resource("cart"))));
        var broken = large ? Chunk(Enumerable.Range(1000, 3000).Select(n => Span(n, new Resource("cart")))) : Chunk([Span(999, new Resource("cart"))]);
        broken[0] = 0xff;

        using var pipeline = new ChunkDecodePipeline(Trace, cores: 2);
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                pipeline.Add(good);
            }

            pipeline.Add(broken);
            pipeline.Add(good);
            await pipeline.AppendSpansToAsync([]);
        });

        Assert.Contains("unknown version", error.Message, StringComparison.Ordinal);
    }

    private static Span Span(int n, Resource resource) => new()
    {
        TraceId = Trace,
        SpanId = n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        ParentSpanId = n > 1 ? (n / 2).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : null,
        Name = "op-" + (n % 13),
        StartUnixNano = 1_714_564_800_000_000_000 + (n * 1000L),
        EndUnixNano = 1_714_564_800_000_000_000 + (n * 1000L) + 500,
        Status = n % 17 == 0 ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Resource = resource,
        Attributes = [new Attribute("n", (long)n), new Attribute("db.statement", "SELECT * FROM orders WHERE id = " + n + new string(' ', 150))],
    };

    private static byte[] Chunk(IEnumerable<Span> spans) => SpanChunkCodec.Encode(spans.Select(ChunkSpan.From).ToArray());

    private static string Describe(Span span) => string.Join(
        '|',
        span.SpanId,
        span.ParentSpanId,
        span.Name,
        span.StartUnixNano,
        span.EndUnixNano,
        span.Status,
        span.Resource.ServiceName,
        string.Join(',', span.Attributes.Select(a => $"{a.Key}={a.Value}")));
}
