using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Tests.Hardening;
using static OpsAssistant.Core.Tests.Hardening.OtlpProtobufEncoder;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// The OTLP protobuf decoder against what the previous decoder (Google.Protobuf's CodedInputStream, a stream and a copy
/// per nested message) gave for the same bytes, recorded under Fixtures/protobuf-oracle: payloads holding every field
/// kind and every rule of the reader, spans it must leave out, and some thousand mutations of both, all built here from
/// fixed seeds. Set OPSASSISTANT_RECORD_PROTOBUF_ORACLE=1 to record the expectations again from the decoder at hand.
/// </summary>
public sealed class OtlpProtobufDifferentialTests
{
    private const string RecordVariable = "OPSASSISTANT_RECORD_PROTOBUF_ORACLE";

    private static readonly byte[] TraceA = Convert.FromHexString("5b8efff798038103d269b633813fc60c");
    private static readonly byte[] TraceB = Convert.FromHexString("0102030405060708090a0b0c0d0e0f10");
    private static readonly byte[] SpanA = Convert.FromHexString("eee19b7ec3c1b174");
    private static readonly byte[] SpanB = Convert.FromHexString("eee19b7ec3c1b173");
    private static readonly byte[] SpanC = Convert.FromHexString("0000000000000001");

    /// <summary>Bytes that are not UTF-8: a lone continuation byte, a truncated sequence, an overlong form, a surrogate.</summary>
    private static readonly byte[] InvalidUtf8 = [0x61, 0x80, 0x62, 0xE2, 0x82, 0x63, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98];

    [Fact]
    public void Read_EveryFieldKind_GivesTheRecordedSpans()
    {
        var payload = EveryFieldKind();

        var dump = SpanDump.Of(OtlpProtobufReader.Read(payload));

        Expect("every-field-kind.txt", dump);
    }

    [Fact]
    public void Read_WithRejections_LeavesOutAndDescribesTheRecordedSpans()
    {
        var rejections = new List<string>();

        var spans = OtlpProtobufReader.Read(BadSpans(), rejections);

        Expect("rejections.txt", SpanDump.Of(spans) + string.Join("\n", rejections.Select(Described)) + "\n");
    }

    [Fact]
    public void Read_MutatedPayloads_AcceptWhatWasAcceptedWithTheSameSpans()
    {
        var outcomes = new StringBuilder();
        var inputs = Mutants().ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            outcomes.Append(CultureInfo.InvariantCulture, $"{i} {Sanitized(Outcome(inputs[i], dump: false))} / {Sanitized(RejectionsOutcome(inputs[i], compact: true))}\n");
        }

        if (Recording("mutations.txt", outcomes.ToString()))
        {
            return;
        }

        var recorded = File.ReadAllLines(OraclePath("mutations.txt"));
        Assert.Equal(inputs.Count, recorded.Length);
        var failures = new List<string>();
        var accepted = 0;
        var deviations = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var expected = recorded[i][(recorded[i].IndexOf(' ', StringComparison.Ordinal) + 1)..];
            var plain = Outcome(inputs[i], dump: false);
            var actual = $"{Sanitized(plain)} / {Sanitized(RejectionsOutcome(inputs[i], compact: true, out var undefinedWireType))}";
            accepted += expected.StartsWith("ok", StringComparison.Ordinal) ? 1 : 0;
            if (expected == actual)
            {
                continue;
            }

            // Google.Protobuf took wire types 6 and 7 (which protobuf does not define) for empty fields and read on; the
            // decoder now rejects the payload, or the span, that holds one.
            if (plain.Contains("wire type", StringComparison.Ordinal) || undefinedWireType)
            {
                deviations++;
                continue;
            }

            failures.Add($"mutant {i} ({Convert.ToHexString(inputs[i][..Math.Min(64, inputs[i].Length)])}): recorded {expected}, now {actual}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(deviations < inputs.Count / 20, $"{deviations} mutants differ by an undefined wire type");
        Assert.True(accepted > inputs.Count / 10, $"only {accepted} of {inputs.Count} mutants decode: the corpus tests rejection only");
    }

    [Fact]
    public void Read_EvalTracesEncodedAsProtobuf_EqualTheirJsonReading()
    {
        var files = Directory.EnumerateFiles(Path.Combine(BadInputHarness.RepoRoot(), "eval", "cases"), "trace.*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            foreach (var trace in TraceReader.Read(File.ReadAllBytes(file)).Traces)
            {
                // The encoder groups spans by resource, then scope; reading back gives them in that order.
                var grouped = trace.Spans.GroupBy(s => s.Resource, ReferenceEqualityComparer.Instance)
                    .SelectMany(r => r.GroupBy(s => s.Scope, ReferenceEqualityComparer.Instance).SelectMany(s => s)).ToList();

                var read = OtlpProtobufReader.Read(EncodeExact(trace.Spans));

                Assert.Equal(SpanDump.Of(grouped, protobufCarries: true), SpanDump.Of(read, protobufCarries: true));
            }
        }
    }

    [Fact]
    public void Read_EdgePayloads_GiveTheRecordedSpansOrAFormatError()
    {
        var outcomes = EdgePayloads().Select(p => $"{p.Name}: {Sanitized(Outcome(p.Bytes))}\n  rejections mode: {Sanitized(RejectionsOutcome(p.Bytes))}\n");

        Expect("edges.txt", string.Concat(outcomes));
    }

    /// <summary>The spans decoded (dumped) or "error" and the message; a message is not part of what must agree.</summary>
    private static string Outcome(byte[] input, bool dump = true)
    {
        try
        {
            var spans = OtlpProtobufReader.Read(input);
            return dump ? $"ok\n{SpanDump.Of(spans)}" : $"ok {spans.Count} {SpanDump.Hash(spans)}";
        }
        catch (TraceFormatException ex)
        {
            return "error " + ex.Message;
        }
    }

    /// <summary>An outcome with any error message cut to "error", for the mutants, whose messages are not compared.</summary>
    private static string Sanitized(string outcome) => outcome.StartsWith("error", StringComparison.Ordinal) ? "error" : outcome;

    private static string RejectionsOutcome(byte[] input, bool compact = false) => RejectionsOutcome(input, compact, out _);

    private static string RejectionsOutcome(byte[] input, bool compact, out bool undefinedWireType)
    {
        var rejections = new List<string>();
        undefinedWireType = false;
        try
        {
            var spans = OtlpProtobufReader.Read(input, rejections);
            var described = string.Join(" | ", rejections.Select(Described));
            undefinedWireType = rejections.Any(r => r.Contains("wire type", StringComparison.Ordinal));
            // A mutant may break one span in two ways; which the decoder names first is not what must agree.
            return compact
                ? $"ok {spans.Count} {SpanDump.Hash(spans)} rejected {rejections.Count}"
                : $"ok {spans.Count} {SpanDump.Hash(spans)} rejected: {described}";
        }
        catch (TraceFormatException ex)
        {
            return "error " + ex.Message;
        }
    }

    /// <summary>
    /// A rejection as "service: reason": the reader's own reasons (an ID's length, nesting) word for word; a structural
    /// fault inside the span, which the decoder words in its own way, as "malformed".
    /// </summary>
    private static string Described(string rejection)
    {
        var colon = rejection.IndexOf(": ", StringComparison.Ordinal);
        var reason = rejection[(colon + 2)..];
        return reason.StartsWith("OTLP ", StringComparison.Ordinal) ? rejection : rejection[..colon] + ": malformed";
    }

    /// <summary>Small payloads each breaking or bending one rule.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> EdgePayloads()
    {
        byte[] Span(Action<CodedOutputStream> fields) => Message(r => Nested(r, 1, Message(rs => Nested(rs, 2, Message(ss =>
            Nested(ss, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); fields(s); })))))));

        yield return ("invalid UTF-8 span name", Span(s => Bytes(s, 5, InvalidUtf8)));
        yield return ("invalid UTF-8 attribute key", Span(s => Nested(s, 9, Message(kv => { Bytes(kv, 1, InvalidUtf8); Nested(kv, 2, AnyValue("v")); }))));
        yield return ("invalid UTF-8 attribute value", Span(s => Nested(s, 9, Message(kv => { Text(kv, 1, "k"); Nested(kv, 2, Message(v => Bytes(v, 1, InvalidUtf8))); }))));
        yield return ("invalid UTF-8 in an unknown field", Span(s => Bytes(s, 99, InvalidUtf8)));
        yield return ("invalid UTF-8 as bytes value", Span(s => Nested(s, 9, KeyValue("raw", Message(v => Bytes(v, 7, InvalidUtf8))))));
        yield return ("lone surrogate UTF-8 (CESU) in trace state", Span(s => Bytes(s, 3, [0xED, 0xA0, 0x80])));
        yield return ("invalid UTF-8 service name", Message(r => Nested(r, 1, Message(rs => Nested(rs, 1, Message(res => Nested(res, 1, Message(kv => { Text(kv, 1, "service.name"); Nested(kv, 2, Message(v => Bytes(v, 1, [0xC3]))); }))))))));
        yield return ("invalid UTF-8 scope name", Message(r => Nested(r, 1, Message(rs => Nested(rs, 2, Message(ss => { Nested(ss, 1, Message(sc => Bytes(sc, 1, [0xFF]))); Nested(ss, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); })); }))))));
        yield return ("unknown group at the top", [0x0B, 0x08, 0x01, 0x0C, .. Span(_ => { })]);
        yield return ("groups nested 99 deep", [.. Enumerable.Repeat((byte)0x0B, 99), .. Enumerable.Repeat((byte)0x0C, 99), .. Span(_ => { })]);
        yield return ("groups nested 100 deep", [.. Enumerable.Repeat((byte)0x0B, 100), .. Enumerable.Repeat((byte)0x0C, 100)]);
        yield return ("group ended by another field", [0x0B, 0x14]);
        yield return ("group never ended", [0x0B, 0x08, 0x01]);
        yield return ("end group without a start", [0x0C]);
        yield return ("field number zero", [0x02, 0x00]);
        yield return ("tag varint beyond 32 bits naming field 1", [0x8A, 0x80, 0x80, 0x80, 0x10, 0x00]);
        yield return ("tag varint of 2^32 (field zero)", [0x80, 0x80, 0x80, 0x80, 0x10]);
        yield return ("largest field number", [0xFA, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]);
        yield return ("varint of 10 bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        yield return ("varint of 11 bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        yield return ("varint cut short", [0x08, 0xFF]);
        yield return ("fixed32 cut short", [0x0D, 0x00, 0x00]);
        yield return ("fixed64 cut short", [0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        yield return ("length of 2^31", [0x0A, 0x80, 0x80, 0x80, 0x80, 0x08]);
        yield return ("length of 2^63", [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        yield return ("length of 2^32 + 2", [0x0A, 0x82, 0x80, 0x80, 0x80, 0x10, 0x00, 0x00]);
        yield return ("length one past the end", [0x0A, 0x02, 0x00]);
        yield return ("span length past its scope", Message(r => Nested(r, 1, Message(rs => Nested(rs, 2, [0x12, 0x09, 0x0A, 0x01]))))) ;
        yield return ("trace ID field as varint", Span(s => Varint(s, 1, 1)));
        yield return ("kind as 64-bit negative", Span(s => Varint(s, 6, unchecked((ulong)-1L))));
        yield return ("kind 2^32 + 2", Span(s => Varint(s, 6, (1UL << 32) + 2)));
        yield return ("status code 2^32 + 2", Span(s => Nested(s, 15, Message(st => Varint(st, 3, (1UL << 32) + 2)))));
        yield return ("time past long.MaxValue", Span(s => { Fixed64(s, 7, (ulong)long.MaxValue + 1); Fixed64(s, 8, ulong.MaxValue); }));
        yield return ("empty parent", Span(s => Bytes(s, 4, [])));
        yield return ("all-zero link IDs", Span(s => Nested(s, 13, Message(l => { Bytes(l, 1, new byte[16]); Bytes(l, 2, new byte[8]); }))));
        yield return ("link without IDs", Span(s => Nested(s, 13, [])));
        yield return ("empty span", Message(r => Nested(r, 1, Message(rs => Nested(rs, 2, Message(ss => Nested(ss, 2, [])))))));
        yield return ("empty request", []);
        yield return ("only unknown fields", Message(Unknowns));
        yield return ("array element of wrong wire type", Span(s => Nested(s, 9, KeyValue("a", Message(v => Nested(v, 5, Message(a => { Varint(a, 1, 3); Nested(a, 1, AnyValue(1L)); })))))));
        yield return ("kvlist entry of wrong wire type", Span(s => Nested(s, 9, KeyValue("m", Message(v => Nested(v, 6, Message(l => { Fixed64(l, 1, 3); Nested(l, 1, KeyValue("x", AnyValue(2.0))); })))))));
        yield return ("bytes value of wrong wire type", Span(s => Nested(s, 9, KeyValue("b", Message(v => Varint(v, 7, 1))))));
        yield return ("resource attribute not a message", Message(r => Nested(r, 1, Message(rs => { Nested(rs, 1, [0x0A, 0x01, 0xFF]); Nested(rs, 2, Message(ss => Nested(ss, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); })))); }))));
        yield return ("scope after its spans, twice", Message(r => Nested(r, 1, Message(rs => Nested(rs, 2, Message(ss =>
        {
            Nested(ss, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); }));
            Nested(ss, 1, Message(sc => Text(sc, 1, "one")));
            Nested(ss, 1, Message(sc => Text(sc, 1, "two")));
        }))))));
    }

    private static void Expect(string name, string actual)
    {
        if (!Recording(name, actual))
        {
            Assert.Equal(File.ReadAllText(OraclePath(name)), actual);
        }
    }

    /// <summary>Records instead of comparing when asked to.</summary>
    private static bool Recording(string name, string actual)
    {
        if (Environment.GetEnvironmentVariable(RecordVariable) != "1")
        {
            return false;
        }

        File.WriteAllText(OraclePath(name), actual);
        return true;
    }

    private static string OraclePath(string name) =>
        Path.Combine(BadInputHarness.RepoRoot(), "tests", "OpsAssistant.Core.Tests", "Fixtures", "protobuf-oracle", name);

    /// <summary>Truncations, bit flips, byte replacements and inflated length prefixes of both payloads, from fixed seeds.</summary>
    private static IEnumerable<byte[]> Mutants()
    {
        foreach (var (seed, salt) in new[] { (EveryFieldKind(), 1), (BadSpans(), 2), (EveryFieldKind(), 3) })
        {
            var random = new Random(salt);
            foreach (var cut in Mutations.Truncations(seed, maxCuts: 200))
            {
                yield return cut;
            }

            for (var i = 0; i < 500; i++)
            {
                yield return Mutations.FlipBits(seed, random, 1 + random.Next(4));
            }

            for (var i = 0; i < 200; i++)
            {
                yield return Mutations.ReplaceByte(seed, random);
            }

            for (var i = 0; i < 300; i++)
            {
                yield return Inflate(seed, random);
            }
        }
    }

    /// <summary>Raises one byte below 0x7F by 1..3 (a length or count that now overshoots), or writes a varint of 2^32 + 1 over it.</summary>
    private static byte[] Inflate(byte[] seed, Random random)
    {
        var copy = (byte[])seed.Clone();
        var at = random.Next(copy.Length);
        if (random.Next(4) == 0)
        {
            byte[] huge = [0x81, 0x80, 0x80, 0x80, 0x10];
            huge.AsSpan(0, Math.Min(huge.Length, copy.Length - at)).CopyTo(copy.AsSpan(at));
        }
        else if (copy[at] < 0x7C)
        {
            copy[at] += (byte)(1 + random.Next(3));
        }

        return copy;
    }

    /// <summary>
    /// Every field the reader maps, every value kind, and every rule it keeps: resource after its spans, the deprecated
    /// instrumentation_library_spans (1000), repeated fields (last wins), oneof values (last wins), unknown fields of every
    /// wire type including groups, wrong wire types on known fields, out-of-range enums and times,
    /// zero and empty parent IDs, empty keys and empty values.
    /// </summary>
    internal static byte[] EveryFieldKind() => Message(request =>
    {
        Unknowns(request);
        Nested(request, 1, Message(resourceSpans =>
        {
            Nested(resourceSpans, 2, Message(scopeSpans =>
            {
                Nested(scopeSpans, 1, Message(scope =>
                {
                    Text(scope, 1, "io.opentelemetry.first");
                    Text(scope, 2, "0.9");
                }));
                Nested(scopeSpans, 2, FullSpan());
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceA);
                    Bytes(s, 2, SpanB);
                    Bytes(s, 4, new byte[8]);
                    Text(s, 5, "zero parent");
                    Varint(s, 6, 5);
                    Fixed64(s, 7, ulong.MaxValue);
                    Nested(s, 15, Message(st => { Varint(st, 3, 1); Text(st, 2, ""); }));
                }));
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceB);
                    Bytes(s, 2, SpanC);
                    Bytes(s, 4, []);
                    Varint(s, 6, ulong.MaxValue);
                    Nested(s, 15, Message(st => Varint(st, 3, 5)));
                }));

                // A second scope field replaces the first, after spans were read: every span of this ScopeSpans has it.
                Nested(scopeSpans, 1, Message(scope =>
                {
                    Text(scope, 1, "io.opentelemetry.second");
                    Text(scope, 2, "1.0.0");
                    Nested(scope, 3, KeyValue("scope.int", AnyValue(7L)));
                    Unknowns(scope);
                }));
                Unknowns(scopeSpans);
            }));
            Nested(resourceSpans, 1000, Message(legacy =>
            {
                Nested(legacy, 1, Message(scope => Text(scope, 1, "legacy.library")));
                Nested(legacy, 2, Message(s => { Bytes(s, 1, TraceB); Bytes(s, 2, SpanA); Bytes(s, 4, SpanB); Text(s, 5, "legacy span"); Varint(s, 6, 3); }));
            }));
            Nested(resourceSpans, 2, Message(scopeSpans =>
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanC); Text(s, 5, "no scope"); Varint(s, 6, 7); }))));
            Nested(resourceSpans, 1, Message(resource =>
            {
                Nested(resource, 1, KeyValue("service.name", AnyValue("to be replaced")));
            }));

            // The resource follows its spans and a second one replaces the first.
            Nested(resourceSpans, 1, Message(resource =>
            {
                Nested(resource, 1, KeyValue("service.name", AnyValue("cart")));
                Nested(resource, 1, KeyValue("host.name", AnyValue("node-1")));
                Nested(resource, 1, KeyValue("process.pid", AnyValue(4242L)));
                Varint(resource, 2, 3);
                Unknowns(resource);
            }));
            Unknowns(resourceSpans);
        }));
        Nested(request, 1, Message(resourceSpans =>
            Nested(resourceSpans, 2, Message(scopeSpans =>
            {
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); Text(s, 5, "no resource"); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanB); Text(s, 5, "same resource, no resource message"); }));
            }))));
        Nested(request, 1, Message(resourceSpans =>
        {
            Nested(resourceSpans, 1, Message(resource => Nested(resource, 1, KeyValue("service.name", AnyValue(12L)))));
            Nested(resourceSpans, 2, Message(scopeSpans =>
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceB); Bytes(s, 2, SpanA); Text(s, 5, "service.name is a number"); }))));
        }));
        Nested(request, 1, Message(resourceSpans =>
        {
            Nested(resourceSpans, 1, Message(resource => Nested(resource, 1, KeyValue("service.name", AnyValue("  ")))));
            Nested(resourceSpans, 2, Message(scopeSpans =>
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceB); Bytes(s, 2, SpanB); Text(s, 5, "blank service"); }))));
        }));
        Nested(request, 1, []);
        Unknowns(request);
    });

    private static byte[] FullSpan() => Message(w =>
    {
        Bytes(w, 1, TraceB);
        Bytes(w, 1, TraceA);
        Bytes(w, 2, SpanA);
        Text(w, 3, "vendor=1,other=\u00e9");
        Bytes(w, 4, SpanB);
        Text(w, 5, "replaced name");
        Text(w, 5, "GET /cart/{id} \u4e2d\u6587 \ud83d\ude80");
        Varint(w, 6, 2);
        Fixed64(w, 7, 1_700_000_000_000_000_000);
        Fixed64(w, 8, 1_700_000_000_250_000_000);
        Varint(w, 5, 9); // name with the wrong wire type: skipped
        w.WriteTag(7, WireFormat.WireType.Varint); // start time with the wrong wire type: skipped
        w.WriteUInt64(1);
        Nested(w, 9, KeyValue("string", AnyValue("text")));
        Nested(w, 9, KeyValue("empty.string", AnyValue("")));
        Nested(w, 9, KeyValue("true", AnyValue(true)));
        Nested(w, 9, KeyValue("false", AnyValue(false)));
        Nested(w, 9, KeyValue("negative", AnyValue(-42L)));
        Nested(w, 9, KeyValue("max", AnyValue(long.MaxValue)));
        Nested(w, 9, KeyValue("min", AnyValue(long.MinValue)));
        Nested(w, 9, KeyValue("double", AnyValue(0.1)));
        Nested(w, 9, KeyValue("negative.zero", AnyValue(-0.0)));
        Nested(w, 9, KeyValue("nan", AnyValue(double.NaN)));
        Nested(w, 9, KeyValue("infinity", AnyValue(double.PositiveInfinity)));
        Nested(w, 9, KeyValue("bytes", AnyValue(new byte[] { 0, 1, 0xFF })));
        Nested(w, 9, KeyValue("invalid.utf8.as.bytes", AnyValue(InvalidUtf8)));
        Nested(w, 9, KeyValue("empty.bytes", AnyValue(Array.Empty<byte>())));
        Nested(w, 9, KeyValue("empty.value", AnyValue(null)));
        Nested(w, 9, Message(kv => Text(kv, 1, "no.value")));
        Nested(w, 9, KeyValue("", AnyValue("dropped: no key")));
        Nested(w, 9, Message(kv => Nested(kv, 2, AnyValue("dropped: no key field"))));
        Nested(w, 9, KeyValue("array", AnyValue(new object?[] { "a", 1L, 2.5, true, null, new byte[] { 7 }, new object?[] { "nested", new object?[] { 3L } }, Array.Empty<object?>() })));
        Nested(w, 9, KeyValue("empty.array", AnyValue(Array.Empty<object?>())));
        Nested(w, 9, KeyValue("array.with.kvlist", Message(v => Nested(v, 5, Message(a =>
        {
            Nested(a, 1, AnyValue("plain"));
            Nested(a, 1, Message(item => Nested(item, 6, Message(l =>
            {
                Nested(l, 1, KeyValue("k", AnyValue("v")));
                Nested(l, 1, KeyValue("n", AnyValue(1L)));
            }))));
            Varint(a, 2, 1);
        })))));
        Nested(w, 9, KeyValue("header", Message(v => Nested(v, 6, Message(l =>
        {
            Nested(l, 1, KeyValue("accept", AnyValue("json")));
            Nested(l, 1, KeyValue("inner", Message(iv => Nested(iv, 6, Message(il => Nested(il, 1, KeyValue("deep", AnyValue(true))))))));
            Nested(l, 1, KeyValue("", AnyValue("dropped")));
            Nested(l, 1, KeyValue("list", AnyValue(new object?[] { "x" })));
            Unknowns(l);
        })))));
        Nested(w, 9, KeyValue("empty.kvlist", Message(v => Nested(v, 6, []))));
        Nested(w, 9, KeyValue("string.then.int", Message(v => { Text(v, 1, "first"); Varint(v, 3, 5); })));
        Nested(w, 9, KeyValue("kvlist.then.string", Message(v => { Nested(v, 6, Message(l => Nested(l, 1, KeyValue("gone", AnyValue("x"))))); Text(v, 1, "last"); })));
        Nested(w, 9, KeyValue("string.then.kvlist", Message(v => { Text(v, 1, "gone"); Nested(v, 6, Message(l => Nested(l, 1, KeyValue("kept", AnyValue("y"))))); })));
        Nested(w, 9, KeyValue("int.as.10.bytes", Message(v => Varint(v, 3, ulong.MaxValue))));
        Nested(w, 9, KeyValue("bool.as.2", Message(v => Varint(v, 2, 2))));
        Nested(w, 9, KeyValue("wrong.wire.types", Message(v =>
        {
            Fixed64(v, 3, 1);
            Varint(v, 4, 1);
            Varint(v, 1, 1);
            Unknowns(v);
        })));
        Nested(w, 9, Message(kv => { Nested(kv, 2, AnyValue("value before key")); Text(kv, 1, "key.after.value"); Unknowns(kv); }));
        Nested(w, 11, Message(e =>
        {
            Fixed64(e, 1, 1_700_000_000_100_000_000);
            Text(e, 2, "exception");
            Nested(e, 3, KeyValue("exception.type", AnyValue("Timeout")));
            Nested(e, 3, KeyValue("exception.escaped", AnyValue(true)));
            Varint(e, 4, 2);
            Unknowns(e);
        }));
        Nested(w, 11, []);
        Nested(w, 11, Message(e => { Fixed64(e, 1, ulong.MaxValue); Text(e, 2, "late"); }));
        Nested(w, 13, Message(l =>
        {
            Bytes(l, 1, TraceB);
            Bytes(l, 2, SpanC);
            Text(l, 3, "ignored=1");
            Nested(l, 4, KeyValue("link.kind", AnyValue("retry")));
            Varint(l, 5, 1);
            l.WriteTag(6, WireFormat.WireType.Fixed32);
            l.WriteFixed32(1);
        }));
        Nested(w, 13, Message(l => { Bytes(l, 1, TraceA); Bytes(l, 2, SpanB); }));
        Varint(w, 10, 3);
        Varint(w, 12, 4);
        Varint(w, 14, 5);
        Nested(w, 15, Message(s => { Text(s, 2, "replaced"); Varint(s, 3, 1); }));
        Nested(w, 15, Message(s => { Text(s, 2, "upstream failed \u00fc"); Varint(s, 3, 2); Varint(s, 1, 2); Unknowns(s); }));
        w.WriteTag(16, WireFormat.WireType.Fixed32);
        w.WriteFixed32(0x301);
        Unknowns(w);
    });

    /// <summary>Spans the rejections overload leaves out and names, between spans it keeps.</summary>
    internal static byte[] BadSpans() => Message(request =>
    {
        Nested(request, 1, Message(resourceSpans =>
        {
            Nested(resourceSpans, 1, Message(resource => Nested(resource, 1, KeyValue("service.name", AnyValue("checkout")))));
            Nested(resourceSpans, 2, Message(scopeSpans =>
            {
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); Text(s, 5, "kept first"); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, [1, 2, 3]); Bytes(s, 2, SpanA); Text(s, 5, "short trace id"); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Text(s, 5, "no span id"); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 2, SpanA); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, SpanA); Bytes(s, 4, [1, 2, 3]); Text(s, 5, "short parent"); }));
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceA); Bytes(s, 2, [.. SpanA, 0]); Text(s, 5, "long span id"); }));
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceA);
                    Bytes(s, 2, SpanB);
                    Text(s, 5, "bad link");
                    Nested(s, 13, Message(l => { Bytes(l, 1, TraceA); Bytes(l, 2, [9]); }));
                }));
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceA);
                    Bytes(s, 2, SpanB);
                    Text(s, 5, "too deep");
                    Nested(s, 9, KeyValue("deep", Deep(40)));
                }));
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceA);
                    Bytes(s, 2, SpanB);
                    Text(s, 5, "deep but allowed");
                    Nested(s, 9, KeyValue("deep", Deep(OtlpProtobufReader.MaxValueDepth - 1)));
                }));
                Nested(scopeSpans, 2, Message(s =>
                {
                    Bytes(s, 1, TraceA);
                    Bytes(s, 2, SpanC);
                    Text(s, 5, "event runs past its end");
                    Nested(s, 11, [0x12, 0x05, 0x61]);
                }));
                Nested(scopeSpans, 2, [0x0A, 0x10, 0x01]);
                Nested(scopeSpans, 2, [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
                Nested(scopeSpans, 2, [0x0C]);
                Nested(scopeSpans, 2, [0x00]);
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceB); Bytes(s, 2, SpanC); Text(s, 5, "kept last"); }));
            }));
        }));
        Nested(request, 1, Message(resourceSpans =>
            Nested(resourceSpans, 2, Message(scopeSpans =>
                Nested(scopeSpans, 2, Message(s => { Bytes(s, 1, TraceB); Bytes(s, 2, [1]); Text(s, 5, "unknown service"); }))))));
    });

    /// <summary>An AnyValue of arrays nested <paramref name="levels"/> deep around a string.</summary>
    private static byte[] Deep(int levels)
    {
        var value = AnyValue("leaf");
        for (var i = 0; i < levels; i++)
        {
            var inner = value;
            value = Message(v => Nested(v, 5, Message(a => Nested(a, 1, inner))));
        }

        return value;
    }

    /// <summary>One unknown field of each wire type protobuf defines, a group holding a nested group among them.</summary>
    private static void Unknowns(CodedOutputStream w)
    {
        Varint(w, 900, 1UL << 40);
        Fixed64(w, 901, 1);
        w.WriteTag(902, WireFormat.WireType.Fixed32);
        w.WriteFixed32(2);
        Text(w, 903, "future field");
        w.WriteTag(904, WireFormat.WireType.StartGroup);
        Varint(w, 1, 1);
        w.WriteTag(2, WireFormat.WireType.StartGroup);
        Text(w, 1, "in a group");
        w.WriteTag(2, WireFormat.WireType.EndGroup);
        w.WriteTag(904, WireFormat.WireType.EndGroup);
    }

    private static byte[] KeyValue(string key, byte[] anyValue) => Message(kv => { Text(kv, 1, key); Nested(kv, 2, anyValue); });

    private static void Varint(CodedOutputStream w, int field, ulong value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteUInt64(value);
    }

    private static void Fixed64(CodedOutputStream w, int field, ulong value)
    {
        w.WriteTag(field, WireFormat.WireType.Fixed64);
        w.WriteFixed64(value);
    }
}
