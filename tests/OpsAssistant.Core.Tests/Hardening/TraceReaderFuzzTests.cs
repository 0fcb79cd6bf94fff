using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Formats;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Every JSON trace format, fed mutated real inputs: the reader returns a trace (which then analyses without throwing)
/// or throws <see cref="TraceFormatException"/> and nothing else, finishes, and keeps its allocations bounded.
/// </summary>
public sealed class TraceReaderFuzzTests
{
    public static TheoryData<string> Formats => [.. Seeds.JsonFormats];

    internal static void ReadAndAnalyze(byte[] input)
    {
        foreach (var trace in TraceReader.Read(input).Traces)
        {
            HeuristicRanker.Rank(TraceAnalyzer.Analyze(trace));
        }
    }

    private static void AllPass(string suite, IEnumerable<byte[]> inputs, long? maxAllocatedBytes = null)
    {
        var failures = inputs.Select(input => BadInputHarness.Check(suite, input, ReadAndAnalyze, typeof(TraceFormatException), maxAllocatedBytes))
            .OfType<string>().Take(10).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_EveryFormat_HasSeeds(string format) => Assert.NotEmpty(Seeds.For(format));

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_TruncatedAtEveryNBytes_ReturnsATraceOrAFormatError(string format) =>
        AllPass(format, Seeds.For(format).SelectMany(seed => Mutations.Truncations(seed.Bytes, maxCuts: seed.Bytes.Length > Seeds.MaxRandomSeedBytes ? 40 : 150)));

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_HostileTimestamps_ReturnsATraceOrAFormatError(string format) =>
        AllPass(format, Seeds.For(format).Where(s => s.Bytes.Length <= Seeds.MaxRandomSeedBytes).Take(4)
            .Select(seed => Mutations.TryParse(seed.Bytes)).OfType<System.Text.Json.Nodes.JsonNode>()
            .SelectMany(root => Mutations.HostileTimes.Select(time => Mutations.ReplaceProperties(root, IsTimeField, time))));

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_DuplicateSelfParentedAndCyclicSpanIds_ReturnsATraceOrAFormatError(string format) =>
        AllPass(format, Seeds.For(format).Where(s => s.Bytes.Length <= Seeds.MaxRandomSeedBytes)
            .Select(seed => Mutations.TryParse(seed.Bytes)).OfType<System.Text.Json.Nodes.JsonNode>()
            .SelectMany(root => new[] { "duplicate", "self-parent", "ring" }.Select(mode => Mutations.RewireIds(root, mode))));

    /// <summary>One random mutation of one random seed per case: byte flips, hostile bytes, invalid UTF-8, wrong-typed values.</summary>
    [Property(MaxTest = 150, QuietOnSuccess = true)]
    public Property Read_RandomlyMutatedInput_ReturnsATraceOrAFormatError() =>
        Prop.ForAll(Gen.Elements(Seeds.JsonFormats).SelectMany(format =>
                from seed in Gen.Elements(Seeds.For(format).Where(s => s.Bytes.Length <= Seeds.MaxRandomSeedBytes).ToArray())
                from kind in Gen.Choose(0, 3)
                from salt in Gen.Choose(0, int.MaxValue)
                from value in Gen.Elements(Mutations.HostileValues)
                select (format, seed, kind, salt, value)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.salt);
                var input = c.kind switch
                {
                    0 => Mutations.FlipBits(c.seed.Bytes, random, 1 + random.Next(8)),
                    1 => Mutations.ReplaceByte(c.seed.Bytes, random),
                    2 => Mutations.InsertInvalidText(c.seed.Bytes, random),
                    _ => Mutations.TryParse(c.seed.Bytes) is { } root ? Mutations.ReplaceValue(root, random.Next(), c.value) ?? c.seed.Bytes : c.seed.Bytes,
                };
                var failure = BadInputHarness.Check(c.format, input, ReadAndAnalyze, typeof(TraceFormatException));
                return failure is null ? true.Label("ok") : false.Label($"{c.seed.Name} kind {c.kind}: {failure}");
            });

    /// <summary>Every value of every small seed, in turn, replaced by each hostile value type (string, number, object, array, ...).</summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_EveryValueWrongTyped_ReturnsATraceOrAFormatError(string format)
    {
        var seed = Seeds.For(format).OrderBy(s => s.Bytes.Length).First();
        var root = Mutations.TryParse(seed.Bytes)!;
        var nodes = Mutations.Walk(root).Count();
        AllPass(format, Enumerable.Range(1, Math.Min(nodes - 1, 80))
            .SelectMany(i => new[] { "\"text\"", "-1", "1e400", "{}", "[]", "null", "[[[[[[[[]]]]]]]]" }.Select(v => Mutations.ReplaceValue(root, i, v)))
            .OfType<byte[]>());
    }

    [Fact]
    public void Read_ShapelessInputs_AreFormatErrors()
    {
        var garbage = new byte[64 * 1024];
        new Random(9).NextBytes(garbage);
        byte[][] inputs =
        [
            [], " "u8.ToArray(), [0xEF, 0xBB, 0xBF], "null"u8.ToArray(), "0"u8.ToArray(), "\"x\""u8.ToArray(), "{"u8.ToArray(), "["u8.ToArray(),
            "[]"u8.ToArray(), "{}"u8.ToArray(), "[null]"u8.ToArray(), "[1,2,3]"u8.ToArray(), "[[]]"u8.ToArray(), "{\"data\":null}"u8.ToArray(),
            "{\"resourceSpans\":{}}"u8.ToArray(), "{\"batches\":7}"u8.ToArray(), "{\"result\":[]}"u8.ToArray(), "{\"trace\":\"x\"}"u8.ToArray(),
            "{\"spans\":[{}]}"u8.ToArray(), "[{}]"u8.ToArray(), "[{\"operationName\":1}]"u8.ToArray(), garbage, [0xFF, 0xFE, 0x7B, 0x00],
            [(byte)'{', 0xC3, 0x28, (byte)'}'], "{\"resourceSpans\":[]}/*"u8.ToArray(), "{\"resourceSpans\":[]} trailing"u8.ToArray(),
            "\0"u8.ToArray(), "{\"a\":1,\"a\":2}"u8.ToArray(),
        ];
        foreach (var input in inputs)
        {
            BadInputHarness.Assert("shapeless", input, ReadAndAnalyze, typeof(TraceFormatException));
        }
    }

    /// <summary>10k levels at the top, inside an attribute value and inside the span list, in objects and arrays.</summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_TenThousandLevelsDeep_IsAFormatErrorWithBoundedAllocation(string format)
    {
        var seed = Encoding.UTF8.GetString(Seeds.For(format).OrderBy(s => s.Bytes.Length).First().Bytes);
        var deepArray = Encoding.UTF8.GetString(Mutations.DeepNesting(10_000));
        var deepObject = string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000);
        var inputs = new[] { deepArray, deepObject }
            .SelectMany(deep => new[] { deep, InsertAfterFirst(seed, "\"name\":", deep + ",\"x\":"), InsertAfterFirst(seed, "[", deep + ",") })
            .Select(Encoding.UTF8.GetBytes);
        AllPass(format, inputs, maxAllocatedBytes: 8L * 1024 * 1024);
    }

    /// <summary>A 50 MB attribute value is cut, not copied: the read allocates well under the input's own size.</summary>
    [Theory]
    [InlineData("otlp-json")]
    [InlineData("jaeger-v1")]
    [InlineData("zipkin-v2")]
    public void Read_FiftyMegabyteAttributeValue_AllocatesLessThanTheInput(string format)
    {
        var big = new string('x', 50 * 1024 * 1024);
        var json = format switch
        {
            "otlp-json" => $$$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","name":"n","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":{"stringValue":"{{{big}}}"}}]}]}]}]}""",
            "jaeger-v1" => $$$"""{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"00000000000000a1","operationName":"n","startTime":1,"duration":1,"tags":[{"key":"k","type":"string","value":"{{{big}}}"}]}]}]}""",
            _ => $$$"""[{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"00000000000000a1","name":"n","timestamp":1,"duration":1,"tags":{"k":"{{{big}}}"}}]""",
        };
        var input = Encoding.UTF8.GetBytes(json);
        AllPass(format, [input], maxAllocatedBytes: input.Length);
    }

    /// <summary>
    /// A long value is cut to exactly its first MaxAttributeValueLength characters plus the marker, whichever way it is
    /// written (plain, multi-byte, surrogate pairs, JSON escapes): the cheap prefix decoding changes no result.
    /// </summary>
    [Property(MaxTest = 200, QuietOnSuccess = true)]
    public Property Read_LongValue_IsCutToItsExactPrefix() =>
        Prop.ForAll((
                from escaped in Gen.Elements(false, true)
                from n in Gen.Choose(0, 400)
                from parts in Gen.ArrayOf(escaped
                    ? Gen.Elements("a", "é", "€", "😀", @"\n", @"\""", @"\\", @"\u00e9", @"\ud83d\ude00", "x")
                    : Gen.Elements("a", "é", "€", "😀", "x", " "), n)
                select parts).Select(p => string.Concat(p)).ToArbitrary(), raw =>
        {
            // Above the pool's 128-byte interning limit, below which values are kept whole whatever the cap.
            const int cap = 130;
            var json = $$$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","name":"n","attributes":[{"key":"k","value":{"stringValue":"{{{raw}}}"}}]}]}]}]}""";
            var full = System.Text.Json.JsonSerializer.Deserialize<string>("\"" + raw + "\"")!;
            var expected = full.Length > cap ? full[..cap] + "…[truncated]" : full;
            var read = TraceReader.Read(Encoding.UTF8.GetBytes(json), new TraceReadOptions { MaxAttributeValueLength = cap });
            var value = (string?)Assert.Single(Assert.Single(read.Traces).Spans).GetAttribute("k");
            return (value == expected).Label($"raw {raw}: got {System.Text.Json.JsonSerializer.Serialize(value)}, expected {System.Text.Json.JsonSerializer.Serialize(expected)}");
        });

    /// <summary>Huge arrays: a million wrong-typed span entries fails fast; 200k tiny attributes stay within a generous multiple of the input.</summary>
    [Fact]
    public void Read_HugeArrays_AreBoundedInAllocation()
    {
        var wrongTyped = Encoding.UTF8.GetBytes("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + string.Join(",", Enumerable.Repeat("1", 1_000_000)) + "]}]}]}");
        AllPass("otlp-json", [wrongTyped], maxAllocatedBytes: wrongTyped.Length);

        var manyAttributes = Encoding.UTF8.GetBytes(
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"00000000000000a1\",\"name\":\"n\",\"attributes\":["
            + string.Join(",", Enumerable.Repeat("{\"key\":\"k\",\"value\":{\"intValue\":\"1\"}}", 200_000)) + "]}]}]}]}");
        AllPass("otlp-json", [manyAttributes], maxAllocatedBytes: 8L * manyAttributes.Length);

        var zipkinNulls = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("null", 1_000_000)) + "]");
        AllPass("zipkin-v2", [zipkinNulls], maxAllocatedBytes: 2L * zipkinNulls.Length);
    }

    /// <summary>
    /// 100k spans read from JSON as one chain, as a parent ring with no root, and all sharing one span ID, then analysed,
    /// in each format's own span shape: no stack overflow, no quadratic hang, memory within a generous multiple of the input.
    /// </summary>
    [Theory]
    [InlineData("otlp-json", "chain")]
    [InlineData("otlp-json", "ring")]
    [InlineData("otlp-json", "same-id")]
    [InlineData("jaeger-v1", "chain")]
    [InlineData("jaeger-v1", "same-id")]
    [InlineData("zipkin-v2", "ring")]
    [InlineData("zipkin-v2", "same-id")]
    public void Read_HundredThousandSpanPathologicalTree_ReadsAndAnalyses(string format, string shape)
    {
        const int n = 100_000;
        static string Hex(long v) => v.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var spans = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var id = shape == "same-id" ? "00000000000000a1" : Hex(i + 1);
            var parent = shape switch
            {
                "chain" when i > 0 => Hex(i),
                "ring" => Hex(((i + 1) % n) + 1),
                "same-id" => "00000000000000a1",
                _ => "",
            };
            long start = 1_000_000L + i, end = 2_000_000L + (i % 3 == 0 ? 5_000_000 : i);
            var (code, flag) = i % 997 == 0 ? (2, "true") : (0, "false");
            spans.Append(i == 0 ? "" : ",").Append(format switch
            {
                "otlp-json" => $$$"""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{{{id}}}","parentSpanId":"{{{parent}}}","name":"op{{{i % 13}}}","startTimeUnixNano":"{{{start}}}","endTimeUnixNano":"{{{end}}}","status":{"code":{{{code}}}}}""",
                "jaeger-v1" => $$$"""{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{{{id}}}","operationName":"op{{{i % 13}}}","references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{{{parent}}}"}],"startTime":{{{start}}},"duration":{{{end - start}}},"processID":"p1","tags":[{"key":"error","type":"bool","value":{{{flag}}}}]}""",
                _ => $$$"""{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"{{{id}}}","parentId":"{{{parent}}}","name":"op{{{i % 13}}}","timestamp":{{{start}}},"duration":{{{end - start}}},"localEndpoint":{"serviceName":"svc"}}""",
            });
        }

        var json = format switch
        {
            "otlp-json" => """{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[""" + spans + "]}]}]}",
            "jaeger-v1" => """{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","processes":{"p1":{"serviceName":"svc"}},"spans":[""" + spans + "]}]}",
            _ => "[" + spans + "]",
        };
        var input = Encoding.UTF8.GetBytes(json);

        // Valid if strange: it must be read and analysed, not refused.
        BadInputHarness.Assert(format, input, ReadAndAnalyze, typeof(NoExceptionAllowed), maxAllocatedBytes: 40L * input.Length, keep: false);
    }

    private abstract class NoExceptionAllowed : Exception;

    private static bool IsTimeField(string name) =>
        name.Contains("time", StringComparison.OrdinalIgnoreCase) || name.Contains("duration", StringComparison.OrdinalIgnoreCase)
        || name.Contains("Nano", StringComparison.Ordinal);

    private static string InsertAfterFirst(string text, string anchor, string insert)
    {
        var at = text.IndexOf(anchor, StringComparison.Ordinal);
        return at < 0 ? insert + text : text[..(at + anchor.Length)] + insert + text[(at + anchor.Length)..];
    }
}
