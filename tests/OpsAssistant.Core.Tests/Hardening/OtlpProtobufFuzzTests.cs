using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// The OTLP protobuf decoder, fed real traces re-encoded as protobuf and then broken: it returns spans or throws
/// <see cref="TraceFormatException"/> only, finishes, and never allocates what a length prefix merely claims.
/// </summary>
public sealed class OtlpProtobufFuzzTests
{
    internal const string Suite = "otlp-protobuf";

    private static readonly Lazy<byte[][]> ProtobufSeeds = new(() =>
        [.. Seeds.JsonFormats.SelectMany(Seeds.For).Where(s => s.Bytes.Length <= Seeds.MaxRandomSeedBytes).Take(12)
            .SelectMany(s => TraceReader.Read(s.Bytes).Traces).Select(OtlpProtobufEncoder.Encode)]);

    private static readonly Lazy<byte[]> RichSeed = new(Formats.OtlpProtobufDifferentialTests.EveryFieldKind);

    internal static void DecodeAndAnalyze(byte[] input)
    {
        var spans = OtlpProtobufReader.Read(input);
        foreach (var trace in spans.GroupBy(s => s.TraceId, StringComparer.Ordinal))
        {
            HeuristicRanker.Rank(TraceAnalyzer.Analyze(new Trace(trace.Key, [.. trace])));
        }
    }

    private static void AllPass(IEnumerable<byte[]> inputs, long? maxAllocatedBytes = null)
    {
        var failures = inputs.Select(input => BadInputHarness.Check(Suite, input, DecodeAndAnalyze, typeof(TraceFormatException), maxAllocatedBytes))
            .OfType<string>().Take(10).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Read_SeedsAreValid() => Assert.All(ProtobufSeeds.Value, seed => Assert.NotEmpty(OtlpProtobufReader.Read(seed)));

    [Fact]
    public void Read_TruncatedAtEveryNBytes_ReturnsSpansOrAFormatError() =>
        AllPass(ProtobufSeeds.Value.SelectMany(seed => Mutations.Truncations(seed, maxCuts: 150)));

    [Property(MaxTest = 200, QuietOnSuccess = true)]
    public Property Read_RandomlyMutatedMessage_ReturnsSpansOrAFormatError() =>
        Prop.ForAll((from index in Gen.Choose(0, ProtobufSeeds.Value.Length - 1)
                     from kind in Gen.Choose(0, 3)
                     from salt in Gen.Choose(0, int.MaxValue)
                     select (index, kind, salt)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.salt);
                var seed = ProtobufSeeds.Value[c.index];
                var input = c.kind switch
                {
                    0 => Mutations.FlipBits(seed, random, 1 + random.Next(8)),
                    1 => Mutations.ReplaceByte(seed, random),
                    2 => HugeLengthAt(seed, random.Next(seed.Length)),
                    _ => RandomBytes(random, random.Next(0, 4096)),
                };
                var failure = BadInputHarness.Check(Suite, input, DecodeAndAnalyze, typeof(TraceFormatException), maxAllocatedBytes: 64L * 1024 * 1024);
                return failure is null ? true.Label("ok") : false.Label($"seed {c.index} kind {c.kind}: {failure}");
            });

    /// <summary>
    /// The payload holding every field kind (typed values, arrays, key/value lists, events, links, groups, unknown fields),
    /// cut, bit-flipped or with a length prefix raised: spans or a format error, within an allocation bound far below any
    /// declared length, in both the throwing and the rejecting mode.
    /// </summary>
    [Property(MaxTest = 300, QuietOnSuccess = true)]
    public Property Read_MutatedEveryFieldKindPayload_ReturnsSpansOrAFormatError() =>
        Prop.ForAll((from kind in Gen.Choose(0, 2)
                     from salt in Gen.Choose(0, int.MaxValue)
                     select (kind, salt)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.salt);
                var seed = RichSeed.Value;
                var input = c.kind switch
                {
                    0 => seed[..random.Next(seed.Length)],
                    1 => Mutations.FlipBits(seed, random, 1 + random.Next(4)),
                    _ => HugeLengthAt(seed, random.Next(seed.Length)),
                };
                var failure = BadInputHarness.Check(Suite, input, DecodeAndAnalyze, typeof(TraceFormatException), maxAllocatedBytes: 1024 * 1024)
                    ?? BadInputHarness.Check(Suite, input, i => OtlpProtobufReader.Read(i, new List<string>()), typeof(TraceFormatException), maxAllocatedBytes: 1024 * 1024);
                return failure is null ? true.Label("ok") : false.Label($"kind {c.kind}: {failure}");
            });

    [Theory]
    [InlineData(new byte[] { 0x0E })] // field 1, wire type 6
    [InlineData(new byte[] { 0x0F, 0x0A, 0x00 })] // field 1, wire type 7, then an empty resource_spans
    [InlineData(new byte[] { 0x0B, 0x0E, 0x0C })] // wire type 6 inside an unknown group
    public void Read_UndefinedWireType_IsAFormatErrorNamingIt(byte[] input)
    {
        var error = Assert.Throws<TraceFormatException>(() => OtlpProtobufReader.Read(input));

        Assert.Contains("wire type", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Length prefixes that claim gigabytes, at every level of the message, must not allocate what they claim.</summary>
    [Fact]
    public void Read_HugeLengthPrefixes_AreFormatErrorsWithoutAllocatingTheClaim()
    {
        var seed = ProtobufSeeds.Value[0];
        var inputs = Enumerable.Range(0, Math.Min(seed.Length, 200)).Select(at => HugeLengthAt(seed, at))
            .Append([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
            .Append([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
            .Append([0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        AllPass(inputs, maxAllocatedBytes: 4L * 1024 * 1024);
    }

    /// <summary>10k nested groups, 10k nested sub-messages and 10k nested attribute arrays: no stack overflow.</summary>
    [Fact]
    public void Read_DeepNesting_IsAFormatErrorOrDecodedNotAStackOverflow()
    {
        var groups = Enumerable.Repeat((byte)0x0B, 10_000).Concat(Enumerable.Repeat((byte)0x0C, 10_000)).ToArray();
        var unknownGroups = Enumerable.Repeat((byte)0x7B, 10_000).ToArray();
        byte[] nestedArrays = OtlpProtobufEncoder.Message(v => v.WriteString("leaf"));
        for (var i = 0; i < 10_000; i++)
        {
            var inner = nestedArrays;
            nestedArrays = OtlpProtobufEncoder.Message(any => OtlpProtobufEncoder.Nested(any, 5, OtlpProtobufEncoder.Message(array => OtlpProtobufEncoder.Nested(array, 1, inner))));
        }

        var span = OtlpProtobufEncoder.Message(s =>
        {
            OtlpProtobufEncoder.Nested(s, 1, Convert.FromHexString("5b8efff798038103d269b633813fc60c"));
            OtlpProtobufEncoder.Nested(s, 2, Convert.FromHexString("eee19b7ec3c1b174"));
            OtlpProtobufEncoder.Nested(s, 9, OtlpProtobufEncoder.Message(kv =>
            {
                kv.WriteTag(1, WireFormat.WireType.LengthDelimited);
                kv.WriteString("deep");
                OtlpProtobufEncoder.Nested(kv, 2, nestedArrays);
            }));
        });
        var deepAttribute = Request(span);
        AllPass([groups, unknownGroups, deepAttribute, Request(groups)]);
    }

    [Fact]
    public void Read_ShapelessInputs_AreFormatErrorsOrEmpty() =>
        AllPass([[], [0x00], [0xFF], [0x0A], [0x0A, 0x00], [0x0A, 0x05, 0x12], RandomBytes(new Random(3), 1 << 20), [0x0F], [0x0C], [0x08, 0xFF]]);

    private static byte[] Request(byte[] span) =>
        OtlpProtobufEncoder.Message(r => OtlpProtobufEncoder.Nested(r, 1, OtlpProtobufEncoder.Message(rs =>
            OtlpProtobufEncoder.Nested(rs, 2, OtlpProtobufEncoder.Message(ss => OtlpProtobufEncoder.Nested(ss, 2, span))))));

    /// <summary>Overwrites the byte at <paramref name="at"/> and after with a varint claiming ~4 GB (as if a length prefix).</summary>
    private static byte[] HugeLengthAt(byte[] seed, int at)
    {
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        var copy = (byte[])seed.Clone();
        huge.AsSpan(0, Math.Min(huge.Length, copy.Length - at)).CopyTo(copy.AsSpan(at));
        return copy;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
