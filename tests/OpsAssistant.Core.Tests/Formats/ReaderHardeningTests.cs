using System.Text;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>Detection, ID/enum/time encodings and bad input, all read through a non-seekable, async-only stream.</summary>
public sealed class ReaderHardeningTests
{
    private const string TempoSpan =
        """{"traceId":"AAAAAAAAAAEAAAAAAAAAAg==","spanId":"AAAAAAAAAAM=","name":"op","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":1000,"endTimeUnixNano":"3000","status":{"code":"STATUS_CODE_ERROR","message":"boom"}}""";

    private static string Otlp(string spans) =>
        $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[{{{spans}}}]}]}]}""";

    private static string OtlpSpan(string id, string extra = "") =>
        $$$"""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{{{id}}}","name":"n{{{id}}}","startTimeUnixNano":"100","endTimeUnixNano":"200"{{{extra}}}}""";

    [Fact]
    public async Task Read_TempoBatchesWithBase64Ids_DecodesIdsEnumNamesAndMixedNanos()
    {
        var result = await FixtureFiles.ReadJsonAsync($$$"""{"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"tempo-svc"}}]},"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old-lib"},"spans":[{{{TempoSpan}}}]}]}]}""");

        Assert.Equal(TraceFormat.Tempo, result.Format);
        var span = Assert.Single(Assert.Single(result.Traces).Spans);
        Assert.Equal("00000000000000010000000000000002", span.TraceId);
        Assert.Equal("0000000000000003", span.SpanId);
        Assert.Equal(SpanKind.Client, span.Kind);
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("boom", span.StatusMessage);
        Assert.Equal(1000, span.StartUnixNano);
        Assert.Equal(3000, span.EndUnixNano);
        Assert.Equal("tempo-svc", span.ServiceName);
        Assert.Equal("old-lib", span.Scope.Name);
    }

    [Fact]
    public async Task Read_TempoV2Wrapper_IsTempo()
    {
        var result = await FixtureFiles.ReadJsonAsync($$$"""{"status":"COMPLETE","trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{{{TempoSpan}}}]}]}]}}""");

        Assert.Equal(TraceFormat.Tempo, result.Format);
        Assert.Equal("0000000000000003", Assert.Single(Assert.Single(result.Traces).Spans).SpanId);
    }

    [Fact]
    public async Task Read_ResourceAfterScopeSpans_StillNamesTheService()
    {
        var result = await FixtureFiles.ReadJsonAsync($$$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{{{OtlpSpan("00000000000000a1")}}}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}""");

        Assert.Equal("late", Assert.Single(Assert.Single(result.Traces).Spans).ServiceName);
    }

    [Fact]
    public async Task Read_NumericKindAndStatus_MapToEnums()
    {
        var result = await FixtureFiles.ReadJsonAsync(Otlp(OtlpSpan("00000000000000a1", ""","kind":5,"status":{"code":1}""")));

        var span = Assert.Single(Assert.Single(result.Traces).Spans);
        Assert.Equal(SpanKind.Consumer, span.Kind);
        Assert.Equal(SpanStatusCode.Ok, span.Status);
    }

    [Fact]
    public async Task Read_ZipkinArray_IsZipkinWithMicrosecondsAsNanos()
    {
        var result = await FixtureFiles.ReadJsonAsync("""[{"traceId":"1e223ff1f80f1c69","id":"1e223ff1f80f1c69","name":"get","kind":"SERVER","timestamp":1000,"duration":5,"localEndpoint":{"serviceName":"zsvc"}}]""");

        Assert.Equal(TraceFormat.ZipkinV2, result.Format);
        var trace = Assert.Single(result.Traces);
        Assert.Equal("00000000000000001e223ff1f80f1c69", trace.TraceId);
        var span = Assert.Single(trace.Spans);
        Assert.Equal(1_000_000, span.StartUnixNano);
        Assert.Equal(1_005_000, span.EndUnixNano);
        Assert.Equal("zsvc", span.ServiceName);
    }

    [Fact]
    public async Task ReadSingle_64BitIdOfA128BitTrace_FindsIt()
    {
        var json = """[{"traceId":"1e223ff1f80f1c69","id":"00000000000000b1","name":"a","timestamp":1,"duration":1},{"traceId":"00000000000000000000000000000abc","id":"00000000000000b2","name":"b","timestamp":1,"duration":1}]""";

        var trace = await TraceReader.ReadSingleAsync(new NonSeekableStream(Encoding.UTF8.GetBytes(json)), "00000000000000001E223FF1F80F1C69");

        Assert.Equal("00000000000000b1", Assert.Single(trace.Spans).SpanId);
    }

    [Fact]
    public async Task ReadSingle_AbsentTraceId_SaysItIsNotThere()
    {
        var json = Otlp(OtlpSpan("00000000000000a1"));

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => TraceReader.ReadSingleAsync(new NonSeekableStream(Encoding.UTF8.GetBytes(json)), "ffffffffffffffffffffffffffffffff"));

        Assert.Contains("ffffffffffffffffffffffffffffffff is not in the input", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0af7651916cd43dd8448eb211c80319c", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t ")]
    public async Task Read_EmptyOrWhitespace_IsAFormatError(string json)
    {
        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync(json));

        Assert.Contains("empty", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Read_BinaryGarbage_IsAFormatErrorNamingTheExpectedShapes()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x89;

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => TraceReader.ReadAsync(new NonSeekableStream(garbage)));

        Assert.Contains("resourceSpans", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_UnknownTopLevelShape_ListsTheFormatsItKnows()
    {
        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync("""{"hello":"world"}"""));

        Assert.Contains(TraceReader.ExpectedFormats, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_TruncatedJson_IsAFormatErrorNotAJsonException()
    {
        var json = Otlp(OtlpSpan("00000000000000a1"));

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync(json[..(json.Length / 2)]));

        Assert.NotNull(ex.Message);
        Assert.IsNotType<System.Text.Json.JsonException>(ex);
    }

    [Fact]
    public async Task Read_SpansIsAString_NamesTheField()
    {
        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync("""{"resourceSpans":[{"scopeSpans":[{"spans":"oops"}]}]}"""));

        Assert.Contains("spans", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_TenThousandDeepNesting_IsAFormatErrorNotAStackOverflow()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var json = Otlp(OtlpSpan("00000000000000a1", $$$""","attributes":[{"key":"k","value":{"stringValue":"v"}}],"x":{{{deep}}}"""));

        await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync(json));
    }

    [Fact]
    public async Task Read_MoreSpansThanMaxSpans_IsAFormatErrorNamingTheLimit()
    {
        var json = Otlp(string.Join(",", Enumerable.Range(1, 5).Select(i => OtlpSpan(i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)))));

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => FixtureFiles.ReadJsonAsync(json, new TraceReadOptions { MaxSpans = 3 }));

        Assert.Contains("MaxSpans", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_FiftyMegabyteAttribute_IsTruncatedWithAWarningNotRejected()
    {
        var big = new string('x', 50 * 1024 * 1024);
        var json = Otlp(OtlpSpan("00000000000000a1", $$$""","attributes":[{"key":"db.statement","value":{"stringValue":"{{{big}}}"}}]"""));

        var trace = Assert.Single((await FixtureFiles.ReadJsonAsync(json)).Traces);

        var value = Assert.IsType<string>(Assert.Single(trace.Spans).GetAttribute("db.statement"));
        Assert.True(value.Length < 17 * 1024, $"value kept {value.Length} chars");
        Assert.StartsWith("xxxxxxxx", value, StringComparison.Ordinal);
        Assert.NotEmpty(trace.Warnings);
    }

    [Fact]
    public async Task Read_DifferentSpansSharingAnId_KeepsBothUnderUniqueIdsWithAWarning()
    {
        var json = Otlp(OtlpSpan("00000000000000a1") + "," + OtlpSpan("00000000000000a1", ""","kind":2""").Replace("\"n00000000000000a1\"", "\"other\"", StringComparison.Ordinal));

        var trace = Assert.Single((await FixtureFiles.ReadJsonAsync(json)).Traces);

        Assert.Equal(2, trace.Spans.Select(s => s.SpanId).Distinct().Count());
        Assert.Equal("00000000000000a1", trace.Spans[0].SpanId);
        Assert.Contains(trace.Warnings, w => w.Contains("00000000000000a1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"-5\"", "\"200\"")]
    [InlineData("\"99999999999999999999999\"", "\"200\"")]
    [InlineData("\"NaN\"", "\"200\"")]
    [InlineData("\"300\"", "\"200\"")]
    public async Task Read_BadTimestamps_AreRepairedWithAWarning(string start, string end)
    {
        var json = Otlp($$$"""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","name":"t","startTimeUnixNano":{{{start}}},"endTimeUnixNano":{{{end}}}}""");

        var trace = Assert.Single((await FixtureFiles.ReadJsonAsync(json)).Traces);

        var span = Assert.Single(trace.Spans);
        Assert.True(span.StartUnixNano >= 0);
        Assert.True(span.EndUnixNano >= span.StartUnixNano);
        Assert.NotEmpty(trace.Warnings);
    }
}
